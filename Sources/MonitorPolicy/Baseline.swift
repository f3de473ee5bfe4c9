/// What a period's accuracy is compared with.
public enum Baseline: Sendable, Equatable {
    /// `reference.accuracy` from the metadata: one-sample z-test.
    case reference(accuracy: Double)
    /// Period 0's measured accuracy: pooled two-proportion z-test.
    case firstPeriod(accuracy: Double, labeled: Int, correct: Int)
    /// No baseline yet: only the minimum applies.
    case none

    public var accuracy: Double? {
        switch self {
        case .reference(let a): a
        case .firstPeriod(let a, _, _): a
        case .none: nil
        }
    }
}
