/// The pipeline's state, `(current_period, total_periods)`, passed from job to
/// job as `--period "C,T"`.
///
/// Periods are numbered `0 ..< total`; `current == total` means "finished".
public struct Period: Sendable, Hashable, CustomStringConvertible {
    /// The period to process, `0 ... total`.
    public let current: Int
    /// The number of periods in the data set, at least 1.
    public let total: Int

    /// Creates a period after checking `total >= 1` and `0 <= current <= total`.
    ///
    /// - Throws: ``PeriodError`` when the pair is out of range.
    public init(current: Int, total: Int) throws(PeriodError) {
        guard total >= 1 else {
            throw PeriodError(received: "\(current),\(total)", reason: "total_periods must be at least 1")
        }
        guard current >= 0, current <= total else {
            throw PeriodError(
                received: "\(current),\(total)",
                reason: "current_period must be between 0 and total_periods (\(total))"
            )
        }
        self.current = current
        self.total = total
    }

    /// The first period of a data set with `total` periods.
    public static func first(of total: Int) throws(PeriodError) -> Period {
        try Period(current: 0, total: total)
    }

    /// Parses `"C,T"`: two decimal integers separated by one comma, spaces
    /// around each number allowed.
    ///
    /// - Throws: ``PeriodError`` naming the value received and what is wrong with it.
    public init(parsing text: String) throws(PeriodError) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw PeriodError(
                received: text,
                reason: parts.count == 1 ? "missing ',' between the two numbers" : "expected exactly two numbers"
            )
        }
        let current = try Self.number(parts[0], name: "current_period", in: text)
        let total = try Self.number(parts[1], name: "total_periods", in: text)
        do {
            try self.init(current: current, total: total)
        } catch {
            throw PeriodError(received: text, reason: error.reason)
        }
    }

    private static func number(_ part: Substring, name: String, in text: String) throws(PeriodError) -> Int {
        let digits = part.utf8.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        guard !digits.isEmpty else {
            throw PeriodError(received: text, reason: "\(name) is empty")
        }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                throw PeriodError(received: text, reason: "\(name) is not a non-negative decimal integer")
            }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else {
                throw PeriodError(received: text, reason: "\(name) is too large")
            }
            value = sum
        }
        return value
    }

    /// `"C,T"`, the value of `--period`.
    public var argument: String { "\(current),\(total)" }

    /// `--period C,T`: the arguments string of a triggered job run.
    public var commandLineArguments: String { "--period \(argument)" }

    /// `true` when every period has been processed (`current == total`).
    public var isFinished: Bool { current == total }

    /// `true` for the last period to process (`current == total - 1`).
    public var isLast: Bool { current == total - 1 }

    /// The following period, `C+1,T`; `nil` once finished.
    public var next: Period? {
        isFinished ? nil : try? Period(current: current + 1, total: total)
    }

    public var description: String { argument }
}

private func isSpace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
}
