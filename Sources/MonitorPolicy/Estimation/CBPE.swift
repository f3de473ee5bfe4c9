/// A period's performance estimated from its scores alone (confidence-based
/// performance estimation), binary classification.
///
/// Each row's calibrated probability p of the positive class makes an
/// expected confusion matrix: TP = Σ p and FP = Σ (1 − p) over rows predicted
/// positive, FN = Σ p and TN = Σ (1 − p) over the others.
public struct CBPEEstimate: Sendable, Equatable {
    public var accuracy: Double
    /// `accuracy` ∓ 3σ, clipped to [0, 1]; see ``CBPE/estimate(scores:predictions:positiveIndex:reference:)``.
    public var accuracyLower: Double
    public var accuracyUpper: Double
    /// `nil` when nothing is expected predicted positive (TP + FP = 0).
    public var precision: Double?
    /// `nil` when no positive is expected (TP + FN = 0).
    public var recall: Double?
    /// `nil` when 2TP + FP + FN = 0.
    public var f1: Double?
    /// `nil` when every row's p is 0, or every row's is 1.
    public var rocAUC: Double?

    public init(
        accuracy: Double, accuracyLower: Double, accuracyUpper: Double, precision: Double?, recall: Double?, f1: Double?,
        rocAUC: Double?
    ) {
        self.accuracy = accuracy
        self.accuracyLower = accuracyLower
        self.accuracyUpper = accuracyUpper
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.rocAUC = rocAUC
    }
}

/// Confidence-based performance estimation and score drift for one period.
public enum CBPE {
    /// How many standard deviations the accuracy band spans on each side (NannyML's width).
    public static let bandWidth = 3.0

    /// Estimates a period's metrics from its scores and measures their drift from the reference.
    ///
    /// - Estimated ROC AUC: rows by score, ties grouped; the expected true
    ///   (Σ p) and false (Σ 1 − p) positives above each threshold trace the
    ///   curve from (0, 0) to (1, 1), integrated by the trapezoid rule.
    /// - Band: σ² = Σ cᵢ(1 − cᵢ)/n² + s²/n_ref, where cᵢ is the row's
    ///   probability of being right (p when predicted positive, else 1 − p,
    ///   so cᵢ(1 − cᵢ) = p(1 − p)) and s the reference rows' correctness
    ///   deviation over its `n_ref` labeled rows.
    ///
    /// One sort of the scores (predicted positives and negatives apart, on two
    /// cores when many), then one walk in score order; the calibration is
    /// looked up once per distinct score.
    ///
    /// - Parameters:
    ///   - scores: each row's score; all finite.
    ///   - predictions: each row's predicted class index.
    ///   - positiveIndex: the positive class's index, `nil` when no row predicts it.
    /// - Precondition: at least one row.
    public static func estimate(
        scores: [Double], predictions: [Int32], positiveIndex: Int32?, reference: EstimationReference
    ) -> (estimate: CBPEEstimate, drift: ScoreDrift) {
        precondition(!scores.isEmpty && scores.count == predictions.count, "CBPE: no rows, or columns of different length")
        let (positives, negatives) = sortedKeys(scores: scores, predictions: predictions, positiveIndex: positiveIndex ?? -2)
        var sorted = [Double](repeating: 0, count: scores.count)
        let walk = sorted.withUnsafeMutableBufferPointer { sorted in
            Walk.run(positives: positives, negatives: negatives, calibration: reference.calibration, into: sorted)
        }
        let n = Double(scores.count)
        let (tp, fp) = (walk.positiveP, Double(positives.count) - walk.positiveP)
        let (fn, tn) = (walk.negativeP, Double(negatives.count) - walk.negativeP)
        let accuracy = (tp + tn) / n
        let variance = walk.sumPQ / (n * n)
            + reference.correctnessDeviation * reference.correctnessDeviation / Double(reference.labeled)
        let halfWidth = bandWidth * variance.squareRoot()
        let totalP = walk.positiveP + walk.negativeP
        let totalQ = n - totalP
        let estimate = CBPEEstimate(
            accuracy: accuracy,
            accuracyLower: max(0, accuracy - halfWidth),
            accuracyUpper: min(1, accuracy + halfWidth),
            precision: tp + fp > 0 ? tp / (tp + fp) : nil,
            recall: tp + fn > 0 ? tp / (tp + fn) : nil,
            f1: 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : nil,
            rocAUC: totalP > 0 && totalQ > 0 ? 1 - walk.aucBelow / (totalP * totalQ) : nil
        )
        let drift = sorted.withUnsafeBufferPointer { ScoreDrift.measure(sortedScores: $0, reference: reference) }
        return (estimate, drift)
    }

    /// The scores' ordered keys, predicted positives and the others apart, each sorted ascending.
    static func sortedKeys(scores: [Double], predictions: [Int32], positiveIndex: Int32) -> ([UInt64], [UInt64]) {
        var positiveCount = 0
        for predicted in predictions where predicted == positiveIndex { positiveCount += 1 }
        let negativeCount = predictions.count - positiveCount
        var negativeKeys: [UInt64] = []
        // Each key goes into both arrays and only the right one's count advances: no branch on the prediction.
        var positiveKeys = [UInt64](unsafeUninitializedCapacity: positiveCount + 1) { positive, pCount in
            negativeKeys = [UInt64](unsafeUninitializedCapacity: negativeCount + 1) { negative, nCount in
                var p = 0, q = 0
                scores.withUnsafeBufferPointer { scores in
                    predictions.withUnsafeBufferPointer { predictions in
                        for row in 0..<scores.count {
                            let key = Metrics.orderedKey(scores[row])
                            positive[p] = key
                            negative[q] = key
                            let isPositive = predictions[row] == positiveIndex ? 1 : 0
                            p &+= isPositive
                            q &+= 1 &- isPositive
                        }
                    }
                }
                nCount = q
                pCount = p
            }
        }
        Metrics.radixSort(&positiveKeys, &negativeKeys)
        return (positiveKeys, negativeKeys)
    }

    /// The sums of one walk through both sorted key arrays in score order.
    struct Walk {
        /// Σ p over predicted positives, over the others.
        var positiveP = 0.0, negativeP = 0.0
        /// Σ p(1 − p).
        var sumPQ = 0.0
        /// Σ over groups of equal score: (Σ 1 − p in the group) · (Σ p below the group + ½ Σ p in the group).
        var aucBelow = 0.0

        static func run(
            positives: [UInt64], negatives: [UInt64], calibration: IsotonicCalibration, into sorted: UnsafeMutableBufferPointer<Double>
        ) -> Walk {
            var walk = Walk()
            var i = 0, j = 0, out = 0
            var cumulativeP = 0.0
            var pointer = CalibrationPointer(calibration)
            while i < positives.count || j < negatives.count {
                let key = i < positives.count && (j == negatives.count || positives[i] <= negatives[j]) ? positives[i] : negatives[j]
                let score = Metrics.value(ofKey: key)
                let p = pointer.probability(score)
                var inPositive = 0, inNegative = 0
                while i < positives.count && positives[i] == key {
                    inPositive += 1
                    i += 1
                }
                while j < negatives.count && negatives[j] == key {
                    inNegative += 1
                    j += 1
                }
                let count = inPositive + inNegative
                for k in out..<out + count { sorted[k] = score }
                out += count
                walk.positiveP += Double(inPositive) * p
                walk.negativeP += Double(inNegative) * p
                walk.sumPQ += Double(count) * p * (1 - p)
                let groupP = Double(count) * p
                walk.aucBelow += Double(count) * (1 - p) * (cumulativeP + 0.5 * groupP)
                cumulativeP += groupP
            }
            return walk
        }
    }

    /// Looks up calibrated probabilities for ascending scores, moving forward along the points.
    struct CalibrationPointer {
        let x: [Double], y: [Double]
        var low = 0

        init(_ calibration: IsotonicCalibration) {
            x = calibration.thresholds
            y = calibration.values
        }

        mutating func probability(_ score: Double) -> Double {
            if score <= x[0] { return y[0] }
            if score >= x[x.count - 1] { return y[y.count - 1] }
            while x[low + 1] <= score { low += 1 }
            return IsotonicCalibration.interpolate(score, low: low, x, y)
        }
    }
}
