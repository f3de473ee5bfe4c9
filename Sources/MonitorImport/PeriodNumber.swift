/// A period column value read as an exact decimal number, so that `1`, `01`,
/// `+1`, `1.0` and `1e0` are one period and `2.0` sorts before `10.0`.
///
/// Accepted: `[+-]digits[.digits][(e|E)[+-]digits]` (digits on at least one
/// side of the point) with spaces or tabs around, as the jobs read scores; no
/// hex, `nan` or `inf`.
struct PeriodNumber: Hashable, Comparable {
    let negative: Bool
    /// Significant digits (values 0…9) without leading or trailing zeros; empty for zero.
    let digits: [UInt8]
    /// The value is 0.d₁d₂… × 10^exponent (0 for zero).
    let exponent: Int

    /// Integers with more digits than this are not numbered (a gap of 10³⁸ periods is refused anyway).
    static let maxIntegerDigits = 38

    init?(_ bytes: UnsafeRawBufferPointer) {
        var start = 0, end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        var i = start
        var negative = false
        if i < end && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var digits: [UInt8] = []
        var pointExponent = 0  // digits before the point, counted from the first significant one
        var sawDigit = false
        var beforePoint = true
        while i < end {
            let byte = bytes[i]
            if byte == UInt8(ascii: ".") && beforePoint {
                beforePoint = false
            } else if byte >= 0x30 && byte <= 0x39 {
                sawDigit = true
                let digit = byte - 0x30
                if digits.isEmpty && digit == 0 {
                    if !beforePoint { pointExponent -= 1 }  // 0.00d: leading zeros after the point
                } else {
                    digits.append(digit)
                    if beforePoint { pointExponent += 1 }
                }
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if i < end && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < end && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < end else { return nil }
            while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let (times10, o1) = exponent.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int(bytes[i] - 0x30))
                guard !o1, !o2 else { return nil }  // an exponent beyond Int is text, not a number
                exponent = next
                i += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        guard i == end else { return nil }
        while digits.last == 0 { digits.removeLast() }
        if digits.isEmpty {
            self.init(negative: false, digits: [], exponent: 0)
            return
        }
        let (total, overflow) = pointExponent.addingReportingOverflow(exponent)
        guard !overflow else { return nil }
        self.init(negative: negative, digits: digits, exponent: total)
    }

    private init(negative: Bool, digits: [UInt8], exponent: Int) {
        self.negative = negative
        self.digits = digits
        self.exponent = exponent
    }

    /// Whether the value is a whole number.
    var isInteger: Bool { digits.count <= exponent || digits.isEmpty }

    /// The value when it is an integer of at most ``maxIntegerDigits`` digits.
    var integer: Int128? {
        guard isInteger, exponent <= Self.maxIntegerDigits else { return nil }
        var value: Int128 = 0
        for index in 0..<max(exponent, 0) { value = value * 10 + Int128(index < digits.count ? digits[index] : 0) }
        return negative ? -value : value
    }

    static func < (a: PeriodNumber, b: PeriodNumber) -> Bool {
        if a.negative != b.negative { return a.negative }
        return a.negative ? magnitudeLess(b, a) : magnitudeLess(a, b)
    }

    private static func magnitudeLess(_ a: PeriodNumber, _ b: PeriodNumber) -> Bool {
        if a.digits.isEmpty || b.digits.isEmpty { return a.digits.isEmpty && !b.digits.isEmpty }
        if a.exponent != b.exponent { return a.exponent < b.exponent }
        return a.digits.lexicographicallyPrecedes(b.digits)
    }
}
