/// Metrics computed the plain way, independently of MonitorPolicy, to check the jobs against.
struct IndependentMetrics {
    var rows = 0, labeled = 0, correct = 0
    var accuracy: Double?
    var precision: Double?
    var recall: Double?
    var f1: Double?
    var auc: Double?

    /// Binary metrics for `positive`; `labels[i] == nil` means unlabeled.
    init(predictions: [String], labels: [String?], scores: [Double]?, positive: String) {
        rows = predictions.count
        var tp = 0, fp = 0, fn = 0
        var positives: [Double] = [], negatives: [Double] = []
        for i in 0..<rows {
            guard let label = labels[i] else { continue }
            labeled += 1
            if label == predictions[i] { correct += 1 }
            if predictions[i] == positive && label == positive { tp += 1 }
            if predictions[i] == positive && label != positive { fp += 1 }
            if predictions[i] != positive && label == positive { fn += 1 }
            if let scores { if label == positive { positives.append(scores[i]) } else { negatives.append(scores[i]) } }
        }
        if labeled > 0 { accuracy = Double(correct) / Double(labeled) }
        if tp + fp > 0 { precision = Double(tp) / Double(tp + fp) }
        if tp + fn > 0 { recall = Double(tp) / Double(tp + fn) }
        if 2 * tp + fp + fn > 0 { f1 = Double(2 * tp) / Double(2 * tp + fp + fn) }
        if !positives.isEmpty && !negatives.isEmpty {
            // Every (positive, negative) pair: 1 if ordered right, ½ for a tie.
            var wins = 0.0
            for p in positives {
                for n in negatives { wins += p > n ? 1 : (p == n ? 0.5 : 0) }
            }
            auc = wins / Double(positives.count * negatives.count)
        }
    }

    /// Macro-averaged precision, recall and F1 over the classes of the labeled rows.
    static func macro(predictions: [String], labels: [String?]) -> (precision: Double, recall: Double, f1: Double) {
        var classes = Set<String>()
        for (p, l) in zip(predictions, labels) where l != nil {
            classes.insert(p)
            classes.insert(l!)
        }
        var sums = (0.0, 0.0, 0.0)
        for c in classes {
            var tp = 0, fp = 0, fn = 0
            for (p, l) in zip(predictions, labels) {
                guard let l else { continue }
                if p == c && l == c { tp += 1 } else if p == c { fp += 1 } else if l == c { fn += 1 }
            }
            sums.0 += tp + fp > 0 ? Double(tp) / Double(tp + fp) : 0
            sums.1 += tp + fn > 0 ? Double(tp) / Double(tp + fn) : 0
            sums.2 += 2 * tp + fp + fn > 0 ? Double(2 * tp) / Double(2 * tp + fp + fn) : 0
        }
        let n = Double(classes.count)
        return (sums.0 / n, sums.1 / n, sums.2 / n)
    }
}
