/// One period's rows, as the metrics need them.
///
/// Classes are interned: rows hold indices into ``classNames``, so the
/// metrics count in flat integer arrays and never compare strings per row.
public struct MetricsInput: Sendable {
    /// Index → class label, in any order; may hold classes that no row uses.
    /// Labels must be distinct.
    public var classNames: [String]
    /// Per row: index of the predicted class.
    public var predictions: [Int32]
    /// Per row: index of the true class, or -1 when the row has no label yet.
    public var labels: [Int32]
    /// Per row: the model's probability of the positive class, when the file has scores.
    public var scores: [Double]?
    /// The positive class for precision, recall, F1 and ROC AUC.
    public var positiveLabel: String
    /// The data set's averaging (see ``TaskDecision``); `nil` decides from this period's classes alone.
    public var averaging: Averaging?
    /// In a binary data set, its expected classes: others are counted in
    /// ``PeriodMetrics/unexpectedClasses``. Empty: none are counted.
    public var expectedClasses: [String]

    public init(
        classNames: [String], predictions: [Int32], labels: [Int32], scores: [Double]?, positiveLabel: String,
        averaging: Averaging? = nil, expectedClasses: [String] = []
    ) {
        self.classNames = classNames
        self.predictions = predictions
        self.labels = labels
        self.scores = scores
        self.positiveLabel = positiveLabel
        self.averaging = averaging
        self.expectedClasses = expectedClasses
    }
}
