// STUB: the public API of the policy module. The policy work replaces every
// `fatalError` with a real implementation and splits this file by type.

/// One period's rows, as the metrics need them. Classes are interned: rows
/// hold indices into ``classNames``.
public struct MetricsInput: Sendable {
    /// Index → class label, in any order; may hold classes that no row uses.
    public var classNames: [String]
    /// Per row: index of the predicted class.
    public var predictions: [Int32]
    /// Per row: index of the true class, or -1 when the row has no label yet.
    public var labels: [Int32]
    /// Per row: the model's probability of the positive class, when the file has scores.
    public var scores: [Double]?
    /// The positive class for precision, recall, F1 and ROC AUC.
    public var positiveLabel: String

    public init(classNames: [String], predictions: [Int32], labels: [Int32], scores: [Double]?, positiveLabel: String) {
        self.classNames = classNames
        self.predictions = predictions
        self.labels = labels
        self.scores = scores
        self.positiveLabel = positiveLabel
    }
}

/// `{"labels": [...], "matrix": [[...]]}`: rows = true label, columns = predicted label.
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    public var labels: [String]
    public var matrix: [[Int]]
    public init(labels: [String], matrix: [[Int]]) {
        self.labels = labels
        self.matrix = matrix
    }
}

public enum Averaging: String, Sendable, Codable {
    case binary, macro
}

/// A period's metrics. A metric that is undefined is `nil`, with its reason in ``undefinedReasons``.
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
}

public enum Metrics {
    /// Computes accuracy, precision, recall, F1, ROC AUC and the confusion matrix (SPEC §5, §11).
    public static func compute(_ input: MetricsInput) -> PeriodMetrics { fatalError("stub") }
}

/// What to do when a period is degraded.
public enum DegradationAction: String, Sendable, CaseIterable {
    case stop, `continue`
}

/// The thresholds of SPEC §6 with their defaults (SPEC §11).
public struct DegradationPolicy: Sendable, Equatable {
    public var minAccuracy: Double?
    public var maxDrop: Double
    public var significance: Double
    public var minLabeled: Int
    public var action: DegradationAction

    public init(minAccuracy: Double? = nil, maxDrop: Double = 0.05, significance: Double = 0.05, minLabeled: Int = 30, action: DegradationAction = .stop) {
        self.minAccuracy = minAccuracy
        self.maxDrop = maxDrop
        self.significance = significance
        self.minLabeled = minLabeled
        self.action = action
    }
}

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

public enum Decision: String, Sendable, Codable {
    case `continue`
    case stopDegraded = "stop_degraded"
    case lastPeriod = "last_period"
}

/// The verdict on one period.
public struct Assessment: Sendable, Equatable {
    public var degraded: Bool
    public var insufficientGroundTruth: Bool
    /// Human-readable: why degraded, why not judged, or "within thresholds …".
    public var reason: String
    public var baselineAccuracy: Double?
    /// `baseline - accuracy`, when both exist.
    public var drop: Double?
    /// One-sided p-value of the drop test, when it ran.
    public var pValue: Double?
    public var decision: Decision
}

public enum Degradation {
    /// Judges a period (SPEC §6, §11).
    public static func assess(_ metrics: PeriodMetrics, baseline: Baseline, policy: DegradationPolicy, isLastPeriod: Bool) -> Assessment {
        fatalError("stub")
    }
}
