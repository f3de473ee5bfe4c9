import Platform

/// Byte-level checks and parsers for CSV fields, without allocation.
enum FieldParsing {
    /// Whether `bytes` is valid UTF-8. ASCII is checked a word at a time, with
    /// overlapping loads for the tail (no byte loop for short fields).
    @inline(__always)
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var high: UInt64
        if count >= 8 {
            high = base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            var index = 0
            while index + 8 < count {
                high |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                index += 8
            }
        } else if count >= 4 {
            high = UInt64(
                base.loadUnaligned(as: UInt32.self) | base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        } else if count >= 2 {
            high = UInt64(
                base.loadUnaligned(as: UInt16.self) | base.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self))
        } else if count == 1 {
            high = UInt64(base.load(as: UInt8.self))
        } else {
            return true
        }
        if high & 0x8080_8080_8080_8080 == 0 { return true }
        return validateUTF8Slow(base.assumingMemoryBound(to: UInt8.self), count)
    }

    /// Full UTF-8 validation (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF).
    static func validateUTF8Slow(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        while i < count {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            @inline(__always) func cont(_ k: Int) -> Bool { i + k < count && bytes[i + k] & 0xC0 == 0x80 }
            if b0 >= 0xC2 && b0 <= 0xDF {
                guard cont(1) else { return false }
                i += 2
            } else if b0 >= 0xE0 && b0 <= 0xEF {
                guard cont(1), cont(2) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xE0 && b1 < 0xA0 { return false }  // overlong
                if b0 == 0xED && b1 >= 0xA0 { return false }  // surrogate
                i += 3
            } else if b0 >= 0xF0 && b0 <= 0xF4 {
                guard cont(1), cont(2), cont(3) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xF0 && b1 < 0x90 { return false }  // overlong
                if b0 == 0xF4 && b1 >= 0x90 { return false }  // > U+10FFFF
                i += 4
            } else {
                return false
            }
        }
        return true
    }

    /// 10^k for 0 ≤ k ≤ 22, all exactly representable.
    @inline(__always)
    private static func powerOf10(_ k: Int) -> Double {
        switch k {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// Parses a decimal floating-point number: `[+-]digits[.digits][(e|E)[+-]digits]`
    /// (digits on at least one side of the point), with optional surrounding spaces
    /// or tabs. Returns `nil` for anything else (including `nan`, `inf`, hex).
    ///
    /// Short inputs (≤ 15 significant digits, |exponent| ≤ 22) take an exact
    /// fast path (Clinger); the rest go through `strtod` on a stack buffer.
    @inline(__always)
    static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let raw = bytes.baseAddress else { return nil }
        let s = raw.assumingMemoryBound(to: UInt8.self)
        let end = bytes.count
        if end == 0 { return nil }

        // Fast path: plain `digits[.digits]`, at most 15 digits (the common `0.1234`).
        do {
            var i = 0
            var mantissa: UInt64 = 0
            while i < end {
                let d = s[i] &- 0x30
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
            var digits = i
            var fraction = 0
            if i < end && s[i] == UInt8(ascii: ".") {
                i += 1
                let fractionStart = i
                while i < end {
                    let d = s[i] &- 0x30
                    if d > 9 { break }
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    i += 1
                }
                fraction = i - fractionStart
                digits += fraction
            }
            if i == end && digits > 0 && digits <= 15 {
                return Double(mantissa) / powerOf10(fraction)
            }
        }

        return parseDoubleGeneral(s, end)
    }

    /// The general case of ``parseDouble(_:)``: spaces, signs, exponents, long digit strings.
    @inline(never)
    private static func parseDoubleGeneral(_ s: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        var start = 0
        var end = count
        while start < end && (s[start] == 0x20 || s[start] == 0x09) { start += 1 }
        while end > start && (s[end - 1] == 0x20 || s[end - 1] == 0x09) { end -= 1 }
        if start == end { return nil }

        var i = start
        var negative = false
        if s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") {
            negative = s[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0  // digits accumulated into mantissa (after leading zeros)
        var dropped = 0  // integer digits not accumulated (too many)
        var digits = 0
        var exponent = 0
        while i < end {
            let d = s[i] &- 0x30
            if d > 9 { break }
            digits += 1
            if significant < 19 {
                if mantissa != 0 || d != 0 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    significant += 1
                }
            } else {
                dropped += 1
            }
            i += 1
        }
        exponent += dropped
        if i < end && s[i] == UInt8(ascii: ".") {
            i += 1
            while i < end {
                let d = s[i] &- 0x30
                if d > 9 { break }
                digits += 1
                if significant < 19 {
                    if mantissa != 0 || d != 0 {
                        mantissa = mantissa &* 10 &+ UInt64(d)
                        significant += 1
                    }
                    exponent -= 1
                }
                i += 1
            }
        }
        if digits == 0 { return nil }
        if i < end && (s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E")) {
            i += 1
            var expNegative = false
            if i < end && (s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+")) {
                expNegative = s[i] == UInt8(ascii: "-")
                i += 1
            }
            var expValue = 0
            var expDigits = 0
            while i < end {
                let d = s[i] &- 0x30
                if d > 9 { break }
                if expValue < 100_000 { expValue = expValue * 10 + Int(d) }
                expDigits += 1
                i += 1
            }
            if expDigits == 0 { return nil }
            exponent += expNegative ? -expValue : expValue
        }
        if i != end { return nil }

        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if significant <= 15 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 {
                value /= powerOf10(-exponent)
            } else {
                value *= powerOf10(exponent)
            }
            return negative ? -value : value
        }
        return strtodFallback(s + start, end - start)
    }

    private static func strtodFallback(_ s: UnsafePointer<UInt8>, _ length: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { text in
            let base = text.baseAddress!
            s.withMemoryRebound(to: CChar.self, capacity: length) { source in
                base.update(from: source, count: length)
            }
            base[length] = 0
            var endPointer: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(base, &endPointer)
            guard let endPointer, endPointer == base + length else { return nil }
            return value
        }
    }
}
