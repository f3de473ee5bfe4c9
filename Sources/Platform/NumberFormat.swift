/// `value` with exactly `decimals` digits after the point, as C's and
/// Python's `'%.*f'` print it: the binary value correctly rounded (a tie
/// goes to the even digit), `-` kept on a negative value that rounds to
/// zero, `nan`, `inf` and `-inf` for the others.
///
/// `fixed(2.675, decimals: 2)` → `"2.67"` (the double is 2.67499999…);
/// `fixed(0.125, decimals: 2)` → `"0.12"`; `fixed(-0.001, decimals: 2)` → `"-0.00"`.
/// The decimal point is `.` whatever the locale.
public func fixed(_ value: Double, decimals: Int) -> String {
    precondition((0...40).contains(decimals), "decimals out of range")
    if value.isNaN { return "nan" }  // glibc prints a negative NaN as "-nan"; Python never does
    // The longest: a sign, 309 integer digits, the point and the decimals.
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer in
        let previous = uselocale(cLocale)
        let length = withVaList([Int32(decimals), value]) { vsnprintf(buffer.baseAddress!, buffer.count, "%.*f", $0) }
        uselocale(previous)
        precondition(length > 0 && Int(length) < buffer.count, "vsnprintf failed")
        return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(length)), as: UTF8.self)
    }
}

/// The "C" locale, so that a process that set another one still prints `.`.
nonisolated(unsafe) private let cLocale = newlocale(LC_NUMERIC_MASK, "C", nil)
