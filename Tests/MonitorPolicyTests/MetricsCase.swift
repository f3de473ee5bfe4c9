import MonitorPolicy
import Testing

/// A period written as strings, with the metrics scikit-learn computes for
/// it (scripts/expected-metrics.py prints these tables).
struct MetricsCase: Sendable, CustomTestStringConvertible {
    var name: String
    var positive: String
    var predictions: [String]
    /// `nil` = no label yet.
    var labels: [String?]
    var scores: [Double]?
    var accuracy: Double?
    var precision: Double?
    var recall: Double?
    var f1: Double?
    var rocAUC: Double?
    var averaging: Averaging
    var classes: [String]
    var matrix: [[Int]]

    init(
        _ name: String, positive: String, predictions: [String], labels: [String?], scores: [Double]?,
        accuracy: Double?, precision: Double?, recall: Double?, f1: Double?, rocAUC: Double?,
        averaging: Averaging, classes: [String], matrix: [[Int]]
    ) {
        self.name = name
        self.positive = positive
        self.predictions = predictions
        self.labels = labels
        self.scores = scores
        self.accuracy = accuracy
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.rocAUC = rocAUC
        self.averaging = averaging
        self.classes = classes
        self.matrix = matrix
    }

    var testDescription: String { name }

    /// Interns the strings in reverse order of first use, plus a class no row
    /// uses, so the code cannot rely on the interning order.
    var input: MetricsInput { Self.intern(positive: positive, predictions: predictions, labels: labels, scores: scores) }

    static func intern(positive: String, predictions: [String], labels: [String?], scores: [Double]?) -> MetricsInput {
        var order: [String] = []
        for value in predictions + labels.compactMap({ $0 }) where !order.contains(value) {
            order.append(value)
        }
        let classNames = ["unused class"] + order.reversed()
        let index = { (value: String) in Int32(classNames.firstIndex(of: value)!) }
        return MetricsInput(
            classNames: classNames,
            predictions: predictions.map(index),
            labels: labels.map { $0.map(index) ?? -1 },
            scores: scores,
            positiveLabel: positive
        )
    }
}

/// Values printed by scripts/expected-metrics.py (scikit-learn 1.9.1):
/// accuracy_score, precision/recall/f1_score (binary: zero_division=nan → nil;
/// multiclass: average='macro', zero_division=0), roc_auc_score, confusion_matrix.
let sklearnCases: [MetricsCase] = [
    MetricsCase(
        "binary with ties in scores and unlabeled rows", positive: "1",
        predictions: ["1", "0", "1", "1", "0", "0", "1", "0", "1", "0", "0", "1", "1", "0"],
        labels: ["1", "0", "0", "1", "1", "0", nil, "0", "1", "1", "0", "0", nil, "1"],
        scores: [0.9, 0.3, 0.7, 0.7, 0.3, 0.1, 0.8, 0.3, 0.7, 0.7, 0.2, 0.55, 0.6, 0.3],
        accuracy: 0.5833333333333334, precision: 0.6, recall: 0.5, f1: 0.5454545454545454, rocAUC: 0.7916666666666666,
        averaging: .binary, classes: ["0", "1"], matrix: [[4, 2], [3, 3]]
    ),
    MetricsCase(
        "imbalanced binary", positive: "1",
        predictions: ["0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1", "0", "1", "1", "0"],
        labels: ["0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "1", "0", "1", "1", "0", "0"],
        scores: [0.05, 0.1, 0.15, 0.2, 0.1, 0.3, 0.25, 0.05, 0.4, 0.35, 0.2, 0.1, 0.45, 0.48, 0.49, 0.6, 0.3, 0.9, 0.7, 0.1],
        accuracy: 0.8, precision: 0.3333333333333333, recall: 0.3333333333333333, f1: 0.3333333333333333, rocAUC: 0.8333333333333333,
        averaging: .binary, classes: ["0", "1"], matrix: [[15, 2], [2, 1]]
    ),
    MetricsCase(
        "multiclass with a class never predicted", positive: "1",
        predictions: ["a", "b", "a", "b", "a", "b", "a", "a", "b", "b"],
        labels: ["a", "b", "c", "c", "a", "a", "b", "a", "b", nil],
        scores: nil,
        accuracy: 0.5555555555555556, precision: 0.3666666666666667, recall: 0.47222222222222215, f1: 0.41269841269841273, rocAUC: nil,
        averaging: .macro, classes: ["a", "b", "c"], matrix: [[3, 1, 0], [1, 2, 0], [1, 1, 0]]
    ),
    MetricsCase(
        "multiclass with a predicted class never true", positive: "1",
        predictions: ["0", "1", "2", "2", "1", "0", "2"],
        labels: ["0", "1", "1", "0", "1", "0", "0"],
        scores: [0.1, 0.9, 0.5, 0.5, 0.8, 0.2, 0.4],
        accuracy: 0.5714285714285714, precision: 0.6666666666666666, recall: 0.38888888888888884, f1: 0.48888888888888893, rocAUC: nil,
        averaging: .macro, classes: ["0", "1", "2"], matrix: [[2, 0, 2], [0, 2, 1], [0, 0, 0]]
    ),
    MetricsCase(
        "one-class period", positive: "1",
        predictions: ["1", "0", "1", "1", "0"],
        labels: ["1", "1", "1", "1", "1"],
        scores: [0.9, 0.2, 0.8, 0.6, 0.4],
        accuracy: 0.6, precision: 1.0, recall: 0.6, f1: 0.75, rocAUC: nil,
        averaging: .binary, classes: ["0", "1"], matrix: [[0, 0], [2, 3]]
    ),
    MetricsCase(
        "only negative labels and predictions", positive: "1",
        predictions: ["0", "0", "0"],
        labels: ["0", "0", nil],
        scores: [0.1, 0.2, 0.3],
        accuracy: 1.0, precision: nil, recall: nil, f1: nil, rocAUC: nil,
        averaging: .binary, classes: ["0"], matrix: [[2]]
    ),
    MetricsCase(
        "no labeled rows", positive: "1",
        predictions: ["1", "0", "1"],
        labels: [nil, nil, nil],
        scores: [0.9, 0.1, 0.8],
        accuracy: nil, precision: nil, recall: nil, f1: nil, rocAUC: nil,
        averaging: .binary, classes: [], matrix: []
    ),
    MetricsCase(
        "empty period", positive: "1",
        predictions: [],
        labels: [],
        scores: nil,
        accuracy: nil, precision: nil, recall: nil, f1: nil, rocAUC: nil,
        averaging: .binary, classes: [], matrix: []
    ),
    MetricsCase(
        "all correct", positive: "1",
        predictions: ["1", "0", "1", "0", "1", "1"],
        labels: ["1", "0", "1", "0", "1", "1"],
        scores: [0.9, 0.1, 0.8, 0.3, 0.6, 0.6],
        accuracy: 1.0, precision: 1.0, recall: 1.0, f1: 1.0, rocAUC: 1.0,
        averaging: .binary, classes: ["0", "1"], matrix: [[2, 0], [0, 4]]
    ),
    MetricsCase(
        "positive label yes with string classes", positive: "yes",
        predictions: ["yes", "no", "no", "yes", "yes", "no", "no", "yes"],
        labels: ["yes", "no", "yes", "no", "yes", "no", "yes", "yes"],
        scores: [0.8, 0.3, 0.45, 0.6, 0.9, 0.2, 0.45, 0.45],
        accuracy: 0.625, precision: 0.75, recall: 0.6, f1: 0.6666666666666666, rocAUC: 0.8,
        averaging: .binary, classes: ["no", "yes"], matrix: [[2, 1], [2, 3]]
    ),
]
