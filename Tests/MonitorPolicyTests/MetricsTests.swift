import MonitorPolicy
import Testing
import TestSupport

/// `actual` is nil exactly when `expected` is, and within `tolerance` otherwise.
func expectClose(_ actual: Double?, _ expected: Double?, tolerance: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    switch (actual, expected) {
    case (nil, nil):
        break
    case (let a?, let e?):
        #expect(abs(a - e) <= tolerance, "\(what): \(a) ≠ \(e)", sourceLocation: sourceLocation)
    default:
        Issue.record("\(what): \(String(describing: actual)) ≠ \(String(describing: expected))", sourceLocation: sourceLocation)
    }
}

@Suite("Metrics against scikit-learn")
struct MetricsTests {
    @Test(arguments: sklearnCases)
    func matchesScikitLearn(_ c: MetricsCase) {
        let m = Metrics.compute(c.input)
        let labeled = c.labels.compactMap { $0 }.count
        #expect(m.rows == c.predictions.count)
        #expect(m.labeled == labeled)
        #expect(m.unlabeled == c.predictions.count - labeled)
        #expect(m.correct == zip(c.predictions, c.labels).filter { $0 == $1 }.count)
        expectClose(m.accuracy, c.accuracy, tolerance: 1e-9, "accuracy")
        expectClose(m.precision, c.precision, tolerance: 1e-9, "precision")
        expectClose(m.recall, c.recall, tolerance: 1e-9, "recall")
        expectClose(m.f1, c.f1, tolerance: 1e-9, "f1")
        expectClose(m.rocAUC, c.rocAUC, tolerance: 1e-6, "roc_auc")
        #expect(m.averaging == c.averaging)
        #expect(m.confusion == ConfusionMatrix(labels: c.classes, matrix: c.matrix))
        // Exactly the nil metrics have a reason.
        let values: [String: Double?] = [
            "accuracy": m.accuracy, "precision": m.precision, "recall": m.recall, "f1": m.f1, "roc_auc": m.rocAUC,
        ]
        #expect(Set(m.undefinedReasons.keys) == Set(values.filter { $0.value == nil }.keys))
    }

    @Test(arguments: [
        // (case name, metric, reason)
        ("binary with ties in scores and unlabeled rows", "roc_auc", nil),
        ("multiclass with a class never predicted", "roc_auc", "multiclass"),
        ("one-class period", "roc_auc", "only one class in the labeled rows (\"1\")"),
        ("only negative labels and predictions", "precision", "no positive predictions"),
        ("only negative labels and predictions", "recall", "no positive labels"),
        ("only negative labels and predictions", "f1", "no positive labels or predictions"),
        ("only negative labels and predictions", "roc_auc", "only one class in the labeled rows (\"0\")"),
        ("no labeled rows", "accuracy", "no labeled rows"),
        ("no labeled rows", "roc_auc", "no labeled rows"),
        ("empty period", "f1", "no labeled rows"),
    ] as [(String, String, String?)])
    func undefinedReason(_ name: String, _ metric: String, _ reason: String?) throws {
        let c = try #require(sklearnCases.first { $0.name == name })
        #expect(Metrics.compute(c.input).undefinedReasons[metric] == reason)
    }

    @Test func noScoreColumn() {
        let input = MetricsCase.intern(positive: "1", predictions: ["1", "0"], labels: ["1", "0"], scores: nil)
        let m = Metrics.compute(input)
        #expect(m.rocAUC == nil)
        #expect(m.undefinedReasons["roc_auc"] == "no score column")
        #expect(m.accuracy == 1)
    }

    @Test func unlabeledRowPredictingAThirdClassMakesThePeriodMulticlass() {
        // Labeled rows hold "0"/"1", but an unlabeled row predicts "2": multiclass,
        // macro over the labeled rows' classes only.
        let input = MetricsCase.intern(positive: "1", predictions: ["1", "0", "2"], labels: ["1", "1", nil], scores: [0.9, 0.2, 0.5])
        let m = Metrics.compute(input)
        #expect(m.averaging == .macro)
        #expect(m.confusion == ConfusionMatrix(labels: ["0", "1"], matrix: [[0, 0], [1, 1]]))
        // Class "0": P 0 (1 predicted, 0 right), R 0 (undefined); class "1": P 1, R 0.5.
        expectClose(m.precision, 0.5, tolerance: 1e-12, "precision")
        expectClose(m.recall, 0.25, tolerance: 1e-12, "recall")
        // F1 "0" = 0, F1 "1" = 2·1/(2·1 + 0 + 1) = 2/3.
        expectClose(m.f1, 1.0 / 3.0, tolerance: 1e-12, "f1")
        #expect(m.undefinedReasons["roc_auc"] == "multiclass")
    }

    @Test func positiveLabelAbsentFromTheDataCountsAsAClass() {
        // Classes "a" and "b" plus the positive "1" make three: multiclass.
        let m = Metrics.compute(MetricsCase.intern(positive: "1", predictions: ["a", "b"], labels: ["a", "b"], scores: nil))
        #expect(m.averaging == .macro)
        #expect(m.precision == 1 && m.recall == 1 && m.f1 == 1)
    }

    @Test func nonFiniteScoreLeavesROCAUCUndefined() {
        let input = MetricsCase.intern(positive: "1", predictions: ["1", "0"], labels: ["1", "0"], scores: [.nan, 0.1])
        let m = Metrics.compute(input)
        #expect(m.rocAUC == nil)
        #expect(m.undefinedReasons["roc_auc"] != nil)
    }

    @Test func unlabeledRowsScoresDoNotCount() {
        // The unlabeled row's score would flip the order if it counted.
        let input = MetricsCase.intern(positive: "1", predictions: ["1", "0", "1"], labels: ["1", "0", nil], scores: [0.6, 0.4, 0.0])
        #expect(Metrics.compute(input).rocAUC == 1)
    }

    /// ROC AUC by its definition, over all pairs: O(n²), for small random periods.
    static func pairwiseAUC(scores: [Double], positive: [Bool]) -> Double {
        var wins = 0.0, pairs = 0.0
        for i in scores.indices where positive[i] {
            for j in scores.indices where !positive[j] {
                pairs += 1
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0
            }
        }
        return wins / pairs
    }

    @Test(arguments: 1...20)
    func rocAUCEqualsThePairwiseDefinition(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(seed))
        let n = 2 + Int(rng.next() % 60)
        var predictions: [String] = [], labels: [String?] = [], scores: [Double] = [], positive: [Bool] = []
        for i in 0..<n {
            // Coarse scores (tenths) make many ties; ensure both classes.
            let isPositive = i == 0 ? true : i == 1 ? false : rng.next() % 3 == 0
            let score = Double(rng.next() % 11) / 10
            predictions.append(score >= 0.5 ? "1" : "0")
            labels.append(isPositive ? "1" : "0")
            scores.append(score)
            positive.append(isPositive)
        }
        let m = Metrics.compute(MetricsCase.intern(positive: "1", predictions: predictions, labels: labels, scores: scores))
        expectClose(m.rocAUC, Self.pairwiseAUC(scores: scores, positive: positive), tolerance: 1e-12, "roc_auc")
    }

    @Test func oneMillionRows() {
        // Row i: label i % 2 (every 10th row unlabeled), prediction wrong when i % 7 == 0,
        // score = label ± offset in tenths so ties are frequent.
        let n = 1_000_000
        var predictions = [Int32](repeating: 0, count: n)
        var labels = [Int32](repeating: 0, count: n)
        var scores = [Double](repeating: 0, count: n)
        var expectedLabeled = 0, expectedCorrect = 0
        var tp = 0, fp = 0, fn = 0
        var positiveScores: [Int] = [], negativeScores: [Int] = []  // in tenths
        for i in 0..<n {
            let label: Int32 = Int32(i % 2)
            let prediction: Int32 = i % 7 == 0 ? 1 - label : label
            predictions[i] = prediction
            let tenths = label == 1 ? 4 + i % 7 : i % 6  // positives 4…10, negatives 0…5
            scores[i] = Double(tenths) / 10
            if i % 10 == 9 {
                labels[i] = -1
                continue
            }
            labels[i] = label
            expectedLabeled += 1
            if prediction == label { expectedCorrect += 1 }
            if prediction == 1 && label == 1 { tp += 1 }
            if prediction == 1 && label == 0 { fp += 1 }
            if prediction == 0 && label == 1 { fn += 1 }
            if label == 1 { positiveScores.append(tenths) } else { negativeScores.append(tenths) }
        }
        // AUC from score histograms (11 buckets): independent of the sort-and-merge code.
        var negativeHistogram = [Int](repeating: 0, count: 11)
        for s in negativeScores { negativeHistogram[s] += 1 }
        var negativesBelow = [Int](repeating: 0, count: 12)
        for s in 0..<11 { negativesBelow[s + 1] = negativesBelow[s] + negativeHistogram[s] }
        var wins = 0.0
        for s in positiveScores {
            wins += Double(negativesBelow[s]) + 0.5 * Double(negativeHistogram[s])
        }
        let expectedAUC = wins / (Double(positiveScores.count) * Double(negativeScores.count))

        let m = Metrics.compute(MetricsInput(classNames: ["0", "1"], predictions: predictions, labels: labels, scores: scores, positiveLabel: "1"))
        #expect(m.rows == n)
        #expect(m.labeled == expectedLabeled)
        #expect(m.unlabeled == n / 10)
        #expect(m.correct == expectedCorrect)
        expectClose(m.accuracy, Double(expectedCorrect) / Double(expectedLabeled), tolerance: 1e-9, "accuracy")
        expectClose(m.precision, Double(tp) / Double(tp + fp), tolerance: 1e-9, "precision")
        expectClose(m.recall, Double(tp) / Double(tp + fn), tolerance: 1e-9, "recall")
        expectClose(m.f1, Double(2 * tp) / Double(2 * tp + fp + fn), tolerance: 1e-9, "f1")
        expectClose(m.rocAUC, expectedAUC, tolerance: 1e-9, "roc_auc")
        #expect(m.confusion.matrix.joined().reduce(0, +) == expectedLabeled)
    }
}

