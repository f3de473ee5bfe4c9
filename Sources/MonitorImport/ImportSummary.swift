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
    /// Per period, the period column's values that make it up as spelled in
    /// the input (several when they are one number, e.g. `1` and `01`); empty
    /// for a gap and for the other splits.
    public var periodValues: [[String]]
    /// What the user should know about the data written: labels spelled
    /// unlike the predictions, a reference from few rows.
    public var warnings: [String] = []

    init(periods: [WrittenPeriod], labeled: Int, labelsWithoutPrediction: Int, reference: ReferenceCounter) {
        self.periods = periods.count
        rowsPerPeriod = periods.map(\.rows)
        self.labeled = labeled
        self.labelsWithoutPrediction = labelsWithoutPrediction
        referenceAccuracy = reference.accuracy
        referenceRows = reference.seen
        periodValues = periods.map(\.values)
    }

    /// Adds the warnings of an import: labels spelled unlike the
    /// predictions, a reference accuracy from fewer rows than the jobs'
    /// default minimum of labeled rows.
    mutating func warn(spelling: SpellingCheck, options: ImportOptions) {
        if let warning = spelling.warning { warnings.append(warning) }
        if referenceAccuracy != nil, referenceRows < 30 {
            warnings.append(
                "the reference accuracy comes from only \(referenceRows) labeled rows: the drop test takes it as exact, "
                    + "so give --reference-rows a few hundred rows or more"
            )
        }
    }

    /// All prediction rows.
    public var rows: Int { rowsPerPeriod.reduce(0, +) }

    /// The periods without rows, as runs of consecutive periods.
    public var emptyPeriods: [ClosedRange<Int>] {
        var runs: [ClosedRange<Int>] = []
        for (period, rows) in rowsPerPeriod.enumerated() where rows == 0 {
            if let last = runs.last, last.upperBound == period - 1 {
                runs[runs.count - 1] = last.lowerBound...period
            } else {
                runs.append(period...period)
            }
        }
        return runs
    }
}
