/// What `--period` asked for: an explicit `C,T`, or `next`, the first period
/// the store has not completed (resolved by the job once it has read the
/// metadata and the store).
public enum PeriodRequest: Sendable, Hashable {
    case period(Period)
    case next

    /// The value of `--period` that asks for the store's next period.
    public static let nextKeyword = "next"

    /// Parses `"C,T"` or `"next"`.
    ///
    /// - Throws: ``PeriodError`` for anything else.
    public init(parsing text: String) throws(PeriodError) {
        if text.utf8.elementsEqual(Self.nextKeyword.utf8) {
            self = .next
        } else {
            self = .period(try Period(parsing: text))
        }
    }

    /// The period after the store's completed ones: `completed` periods
    /// `0 ..< completed` are done, so `completed` of `total` (finished when
    /// every period is done).
    public static func next(completed: Int, total: Int) throws(PeriodError) -> Period {
        try Period(current: min(max(completed, 0), total), total: total)
    }
}
