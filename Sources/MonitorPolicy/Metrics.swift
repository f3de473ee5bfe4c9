/// Computes a period's metrics from its interned rows (docs/monitoring.md).
///
/// One pass over the rows finds the classes in use and counts labeled and
/// correct rows; a second fills a flat confusion matrix over the classes of
/// the labeled rows. Everything else is derived from that matrix, except
/// ROC AUC, which sorts the labeled rows' scores once. No allocation per row.
public enum Metrics {
    /// Reasons recorded in ``PeriodMetrics/undefinedReasons``.
    public enum Reason {
        public static let noLabeledRows = "no labeled rows"
        public static let noPositivePredictions = "no positive predictions"
        public static let noPositiveLabels = "no positive labels"
        public static let noPositiveLabelsOrPredictions = "no positive labels or predictions"
        public static let noScoreColumn = "no score column"
        public static let multiclass = "multiclass"
        public static let nonFiniteScore = "non-finite score in a labeled row"
        public static func oneClass(_ label: String) -> String {
            "only one class in the labeled rows (\"\(label)\")"
        }
    }

    /// Computes accuracy, precision, recall, F1, ROC AUC and the confusion matrix.
    ///
    /// Rows without a label (index -1) are counted in ``PeriodMetrics/unlabeled``
    /// and left out of every metric. The averaging is the data set's
    /// (``MetricsInput/averaging``); without one, a period is binary when the
    /// labels of its labeled rows and the predictions of all its rows,
    /// together with the positive label, hold at most two distinct classes.
    /// Binary metrics are one-vs-rest for the positive label, whatever other
    /// classes occur (counted in ``PeriodMetrics/unexpectedClasses``); macro
    /// averages precision, recall and F1 over the sorted classes of the
    /// labeled rows, an undefined per-class ratio counting as 0
    /// (scikit-learn's `zero_division=0`).
    ///
    /// - Precondition: `labels` and `scores` (when present) have one entry per
    ///   prediction, and every index is valid in `classNames` (labels may be -1).
    public static func compute(_ input: MetricsInput) -> PeriodMetrics {
        let names = input.classNames
        let classCount = names.count
        let rows = input.predictions.count
        precondition(input.labels.count == rows, "MetricsInput: \(input.labels.count) labels for \(rows) predictions")
        if let scores = input.scores {
            precondition(scores.count == rows, "MetricsInput: \(scores.count) scores for \(rows) predictions")
        }

        // Pass 1: classes in use, labeled and correct rows.
        var predictedCount = [Int](repeating: 0, count: classCount)
        var labelCount = [Int](repeating: 0, count: classCount)
        var predictedInLabeledRow = [Bool](repeating: false, count: classCount)
        var labeled = 0
        var correct = 0
        input.predictions.withUnsafeBufferPointer { predictions in
            input.labels.withUnsafeBufferPointer { labels in
                for row in 0..<rows {
                    let prediction = Int(predictions[row])
                    precondition(prediction >= 0 && prediction < classCount, "MetricsInput: prediction index \(prediction) out of range at row \(row)")
                    predictedCount[prediction] += 1
                    let label = Int(labels[row])
                    guard label >= 0 else { continue }
                    precondition(label < classCount, "MetricsInput: label index \(label) out of range at row \(row)")
                    labelCount[label] += 1
                    predictedInLabeledRow[prediction] = true
                    labeled += 1
                    if label == prediction { correct += 1 }
                }
            }
        }

        let labelSeen = labelCount.map { $0 > 0 }
        let averaging =
            input.averaging
            ?? (isBinary(names: names, labelSeen: labelSeen, predictedAnywhere: predictedCount.map { $0 > 0 }, positiveLabel: input.positiveLabel)
                ? Averaging.binary : .macro)
        var unexpected: [String: Int] = [:]
        if averaging == .binary, !input.expectedClasses.isEmpty {
            for index in names.indices where predictedCount[index] + labelCount[index] > 0 {
                let name = names[index]
                if name != input.positiveLabel, !input.expectedClasses.contains(name) {
                    unexpected[name] = predictedCount[index] + labelCount[index]
                }
            }
        }
        guard labeled > 0 else {
            var reasons: [String: String] = [:]
            for name in ["accuracy", "precision", "recall", "f1", "roc_auc"] { reasons[name] = Reason.noLabeledRows }
            var metrics = PeriodMetrics(
                rows: rows, labeled: 0, unlabeled: rows, correct: 0,
                accuracy: nil, precision: nil, recall: nil, f1: nil, rocAUC: nil,
                averaging: averaging, confusion: ConfusionMatrix(labels: [], matrix: []),
                undefinedReasons: reasons
            )
            metrics.unexpectedClasses = unexpected
            return metrics
        }

        // Pass 2: confusion matrix over the sorted classes of the labeled rows.
        let used = (0..<classCount)
            .filter { labelSeen[$0] || predictedInLabeledRow[$0] }
            .sorted { names[$0] < names[$1] }
        let k = used.count
        var position = [Int](repeating: -1, count: classCount)
        for (compact, index) in used.enumerated() { position[index] = compact }
        var counts = [Int](repeating: 0, count: k * k)
        input.predictions.withUnsafeBufferPointer { predictions in
            input.labels.withUnsafeBufferPointer { labels in
                for row in 0..<rows {
                    let label = Int(labels[row])
                    guard label >= 0 else { continue }
                    counts[position[label] * k + position[Int(predictions[row])]] += 1
                }
            }
        }
        let confusion = ConfusionMatrix(
            labels: used.map { names[$0] },
            matrix: (0..<k).map { row in Array(counts[(row * k)..<(row * k + k)]) }
        )

        var metrics = PeriodMetrics(
            rows: rows, labeled: labeled, unlabeled: rows - labeled, correct: correct,
            accuracy: Double(correct) / Double(labeled),
            precision: nil, recall: nil, f1: nil, rocAUC: nil,
            averaging: averaging, confusion: confusion, undefinedReasons: [:]
        )
        metrics.unexpectedClasses = unexpected
        switch averaging {
        case .binary:
            fillBinary(&metrics, input: input, counts: counts, classes: k, position: position)
        case .macro:
            fillMacro(&metrics, counts: counts, classes: k)
            metrics.undefinedReasons["roc_auc"] = Reason.multiclass
        }
        return metrics
    }

    /// At most two distinct class labels among the labeled rows' labels, all
    /// rows' predictions and the positive label.
    static func isBinary(names: [String], labelSeen: [Bool], predictedAnywhere: [Bool], positiveLabel: String) -> Bool {
        var distinct: Set<String> = [positiveLabel]
        for index in names.indices where labelSeen[index] || predictedAnywhere[index] {
            distinct.insert(names[index])
            if distinct.count > 2 { return false }
        }
        return true
    }

    private static func fillBinary(_ metrics: inout PeriodMetrics, input: MetricsInput, counts: [Int], classes k: Int, position: [Int]) {
        let positiveIndex = input.classNames.firstIndex(of: input.positiveLabel)
        let positive = positiveIndex.map { position[$0] } ?? -1
        var truePositives = 0, predictedPositive = 0, actualPositive = 0
        if positive >= 0 {
            truePositives = counts[positive * k + positive]
            for other in 0..<k {
                predictedPositive += counts[other * k + positive]
                actualPositive += counts[positive * k + other]
            }
        }
        let falsePositives = predictedPositive - truePositives
        let falseNegatives = actualPositive - truePositives

        if predictedPositive > 0 {
            metrics.precision = Double(truePositives) / Double(predictedPositive)
        } else {
            metrics.undefinedReasons["precision"] = Reason.noPositivePredictions
        }
        if actualPositive > 0 {
            metrics.recall = Double(truePositives) / Double(actualPositive)
        } else {
            metrics.undefinedReasons["recall"] = Reason.noPositiveLabels
        }
        let f1Denominator = 2 * truePositives + falsePositives + falseNegatives
        if f1Denominator > 0 {
            metrics.f1 = Double(2 * truePositives) / Double(f1Denominator)
        } else {
            metrics.undefinedReasons["f1"] = Reason.noPositiveLabelsOrPredictions
        }

        guard let scores = input.scores else {
            metrics.undefinedReasons["roc_auc"] = Reason.noScoreColumn
            return
        }
        let actualNegative = metrics.labeled - actualPositive
        guard actualPositive > 0, actualNegative > 0 else {
            // One class only: the positive one, or the single other label.
            let only = actualPositive > 0
                ? input.positiveLabel
                : metrics.confusion.labels.enumerated().first { row, _ in
                    metrics.confusion.matrix[row].contains { $0 > 0 }
                }?.element ?? ""
            metrics.undefinedReasons["roc_auc"] = Reason.oneClass(only)
            return
        }
        if let auc = rocAUC(scores: scores, labels: input.labels, positiveIndex: Int32(positiveIndex!), positives: actualPositive, negatives: actualNegative) {
            metrics.rocAUC = auc
        } else {
            metrics.undefinedReasons["roc_auc"] = Reason.nonFiniteScore
        }
    }

    private static func fillMacro(_ metrics: inout PeriodMetrics, counts: [Int], classes k: Int) {
        var precisionSum = 0.0, recallSum = 0.0, f1Sum = 0.0
        for c in 0..<k {
            let truePositives = counts[c * k + c]
            var predicted = 0, actual = 0
            for other in 0..<k {
                predicted += counts[other * k + c]
                actual += counts[c * k + other]
            }
            if predicted > 0 { precisionSum += Double(truePositives) / Double(predicted) }
            if actual > 0 { recallSum += Double(truePositives) / Double(actual) }
            // 2TP + FP + FN = predicted + actual.
            if predicted + actual > 0 { f1Sum += Double(2 * truePositives) / Double(predicted + actual) }
        }
        metrics.precision = precisionSum / Double(k)
        metrics.recall = recallSum / Double(k)
        metrics.f1 = f1Sum / Double(k)
    }
}
