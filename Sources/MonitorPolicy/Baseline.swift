/// What a period's accuracy is compared with.
public enum Baseline: Sendable, Equatable {
    /// `reference.accuracy` from the metadata: one-sample test.
    case reference(accuracy: Double)
    /// The first period with enough labeled rows, measured: pooled two-proportion z-test.
    case firstPeriod(index: Int = 0, accuracy: Double, labeled: Int, correct: Int)
    /// No baseline yet, and why: only the minimum applies.
    case unavailable(reason: String)

    public var accuracy: Double? {
        switch self {
        case .reference(let a): a
        case .firstPeriod(_, let a, _, _): a
        case .unavailable: nil
        }
    }
}
