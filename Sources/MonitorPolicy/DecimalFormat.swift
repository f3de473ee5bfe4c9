/// Fixed-point formatting for reasons, without Foundation.
enum DecimalFormat {
    /// `x` rounded half away from zero to `digits` decimals: `fixed(0.61234, 2)` → `"0.61"`.
    static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(x) * scale).rounded()
        guard scaled < 9.0e18 else { return "\(x)" }
        let units = Int(scaled)
        let divisor = Int(scale)
        let whole = units / divisor
        var text = (x < 0 && units != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let fraction = String(units % divisor)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return text
    }

    /// A fraction as a percentage with two decimals: `0.612` → `"61.20%"`.
    static func percent(_ fraction: Double) -> String {
        fixed(fraction * 100, 2) + "%"
    }

    /// A fraction as percentage points with two decimals: `0.124` → `"12.40"`.
    static func points(_ fraction: Double) -> String {
        fixed(fraction * 100, 2)
    }

    /// Two fractions as percentage points, with as many decimals (2 to 6) as
    /// it takes for values further apart than `tolerance` to print apart:
    /// a drop of 0.05004 against a maximum of 0.05 is `("5.004", "5.000")`.
    static func points(_ value: Double, against other: Double, tolerance: Double) -> (String, String) {
        var digits = 2
        while digits < 6, abs(value - other) > tolerance, fixed(value * 100, digits) == fixed(other * 100, digits) {
            digits += 1
        }
        return (fixed(value * 100, digits), fixed(other * 100, digits))
    }

    /// A p-value with four decimals, or `< 0.0001` when it would print as zero.
    static func pValue(_ p: Double) -> String {
        p < 0.00005 ? "< 0.0001" : "= " + fixed(p, 4)
    }
}
