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
        radixSort(&positiveScores)
        radixSort(&negativeScores)
        return mannWhitneyAUC(sortedPositives: positiveScores, sortedNegatives: negativeScores)
    }

    /// Sorts finite doubles ascending: an LSD radix sort over the IEEE 754 bits
    /// mapped to unsigned order (11 bits a pass; passes where every value has
    /// the same digit are skipped). Several times faster than `sort()` on the
    /// 250,000 scores of a period. Equal values end up adjacent; -0.0 sorts
    /// before 0.0, which compare equal, so the Mann–Whitney walk is unchanged.
    static func radixSort(_ values: inout [Double]) {
        let n = values.count
        guard n > 64 else {
            values.sort()
            return
        }
        var keys = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
            values.withUnsafeBufferPointer { source in
                for i in 0..<n {
                    let bits = source[i].bitPattern
                    buffer[i] = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
                }
            }
            count = n
        }
        var scratch = [UInt64](repeating: 0, count: n)
        let digitBits = 11
        let radix = 1 << digitBits
        var counts = [Int](repeating: 0, count: radix)
        var shift: UInt64 = 0
        while shift < 64 {
            keys.withUnsafeBufferPointer { keys in
                counts.withUnsafeMutableBufferPointer { counts in
                    for i in 0..<radix { counts[i] = 0 }
                    for key in keys { counts[Int((key >> shift) & UInt64(radix - 1))] += 1 }
                }
            }
            let first = Int((keys[0] >> shift) & UInt64(radix - 1))
            if counts[first] != n {
                var total = 0
                for i in 0..<radix {
                    let c = counts[i]
                    counts[i] = total
                    total += c
                }
                keys.withUnsafeBufferPointer { keys in
                    scratch.withUnsafeMutableBufferPointer { scratch in
                        counts.withUnsafeMutableBufferPointer { counts in
                            for key in keys {
                                let digit = Int((key >> shift) & UInt64(radix - 1))
                                scratch[counts[digit]] = key
                                counts[digit] += 1
                            }
                        }
                    }
                }
                swap(&keys, &scratch)
            }
            shift += UInt64(digitBits)
        }
        values.withUnsafeMutableBufferPointer { values in
            keys.withUnsafeBufferPointer { keys in
                for i in 0..<n {
                    let key = keys[i]
                    values[i] = Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
                }
            }
        }
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
