import Platform

/// The numbers in a decision's reason, printed with ``Platform/fixed(_:decimals:)``.
enum DecimalFormat {
    /// A fraction as a percentage with two decimals: `0.612` → `"61.20%"`.
    static func percent(_ fraction: Double) -> String {
        fixed(fraction * 100, decimals: 2) + "%"
    }

    /// A fraction as percentage points with two decimals: `0.124` → `"12.40"`.
    static func points(_ fraction: Double) -> String {
        fixed(fraction * 100, decimals: 2)
    }

    /// Two fractions as percentage points, with as many decimals (2 to 6) as
    /// it takes for values further apart than `tolerance` to print apart:
    /// a drop of 0.05004 against a maximum of 0.05 is `("5.004", "5.000")`.
    static func points(_ value: Double, against other: Double, tolerance: Double) -> (String, String) {
        var digits = 2
        while digits < 6, abs(value - other) > tolerance, fixed(value * 100, decimals: digits) == fixed(other * 100, decimals: digits) {
            digits += 1
        }
        return (fixed(value * 100, decimals: digits), fixed(other * 100, decimals: digits))
    }

    /// A p-value with four decimals, or `< 0.0001` when it would print as zero.
    static func pValue(_ p: Double) -> String {
        p < 0.00005 ? "< 0.0001" : "= " + fixed(p, decimals: 4)
    }
}
