extension Metrics {
    /// ROC AUC of the labeled rows as the Mann–Whitney statistic: the share
    /// of (positive, negative) pairs where the positive scores higher, ties
    /// counting half — the trapezoid area scikit-learn's `roc_auc_score`
    /// computes.
    ///
    /// Sorts the positives' and the negatives' scores once each, then walks
    /// both in step: O(n log n) time, two arrays of n doubles in all.
    ///
    /// - Returns: `nil` when a labeled row's score is NaN or infinite.
    static func rocAUC(scores: [Double], labels: [Int32], positiveIndex: Int32, positives: Int, negatives: Int) -> Double? {
        var positiveScores: [Double] = []
        var negativeScores: [Double] = []
        positiveScores.reserveCapacity(positives)
        negativeScores.reserveCapacity(negatives)
        var finite = true
        scores.withUnsafeBufferPointer { scores in
            labels.withUnsafeBufferPointer { labels in
                for row in 0..<labels.count where labels[row] >= 0 {
                    let score = scores[row]
                    if !score.isFinite { finite = false }
                    if labels[row] == positiveIndex {
                        positiveScores.append(score)
                    } else {
                        negativeScores.append(score)
                    }
                }
            }
        }
        guard finite else { return nil }
        positiveScores.sort()
        negativeScores.sort()
        return mannWhitneyAUC(sortedPositives: positiveScores, sortedNegatives: negativeScores)
    }

    /// P(positive score > negative score) + ½ P(equal), from sorted, non-empty arrays.
    static func mannWhitneyAUC(sortedPositives pos: [Double], sortedNegatives neg: [Double]) -> Double {
        // twiceU = Σ over positives of 2·(negatives below) + (negatives equal): exact in Int.
        var twiceU = 0
        var i = 0, below = 0
        while i < pos.count {
            let value = pos[i]
            while below < neg.count && neg[below] < value { below += 1 }
            var end = below
            while end < neg.count && neg[end] == value { end += 1 }
            var group = i
            while group < pos.count && pos[group] == value { group += 1 }
            twiceU += (group - i) * (2 * below + (end - below))
            i = group
        }
        return Double(twiceU) / (2.0 * Double(pos.count) * Double(neg.count))
    }
}
