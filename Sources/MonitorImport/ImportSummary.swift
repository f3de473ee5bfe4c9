/// What an import wrote.
public struct ImportSummary: Sendable, Equatable {
    /// `num_periods` of the new data set.
    public var periods: Int
    /// Prediction rows per period.
    public var rowsPerPeriod: [Int]
    /// Label rows written (non-empty labels joined to a prediction).
    public var labeled: Int
    /// Labels whose id has no prediction (two-file input), dropped.
    public var labelsWithoutPrediction: Int
    /// `reference.accuracy`, when asked for and computable.
    public var referenceAccuracy: Double?
    /// Labeled rows the reference was computed from.
    public var referenceRows: Int

    /// All prediction rows.
    public var rows: Int { rowsPerPeriod.reduce(0, +) }
}
