/// How precision, recall and F1 were averaged.
public enum Averaging: String, Sendable, Codable {
    /// For the positive label, one class against the rest.
    case binary
    /// Unweighted mean over the classes of the labeled rows.
    case macro
}

/// A period's metrics.
///
/// A metric that is undefined for the period is `nil`, never 0, and its
/// reason is in ``undefinedReasons`` under the metric's name.
public struct PeriodMetrics: Sendable, Equatable {
    public var rows: Int
    public var labeled: Int
    public var unlabeled: Int
    /// Labeled rows whose prediction equals the label.
    public var correct: Int
    public var accuracy: Double?
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    public var rocAUC: Double?
    public var averaging: Averaging
    public var confusion: ConfusionMatrix
    /// Metric name (`accuracy`, `precision`, `recall`, `f1`, `roc_auc`) → why it is undefined.
    public var undefinedReasons: [String: String]
    /// In a binary data set, classes other than its expected ones → their
    /// occurrences among all predictions and the labeled rows' labels.
    public var unexpectedClasses: [String: Int] = [:]

    public init(
        rows: Int,
        labeled: Int,
        unlabeled: Int,
        correct: Int,
        accuracy: Double?,
        precision: Double?,
        recall: Double?,
        f1: Double?,
        rocAUC: Double?,
        averaging: Averaging,
        confusion: ConfusionMatrix,
        undefinedReasons: [String: String]
    ) {
        self.rows = rows
        self.labeled = labeled
        self.unlabeled = unlabeled
        self.correct = correct
        self.accuracy = accuracy
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.rocAUC = rocAUC
        self.averaging = averaging
        self.confusion = confusion
        self.undefinedReasons = undefinedReasons
    }
}
