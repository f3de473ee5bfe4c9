/// A monotone map from a model's score to the probability of the positive
/// class, fitted on labeled reference rows as scikit-learn's
/// `IsotonicRegression(out_of_bounds="clip")` fits it.
///
/// Fitting sorts the rows by score, merges scores closer than 1e-15 (the
/// resolution of a double, as scikit-learn's `_make_unique` does) into one
/// point holding the mean outcome and the count as weight, and pools adjacent
/// violators until the means rise. A score between two points is linearly
/// interpolated (numpy's `interp`); one outside the reference's range takes
/// the nearest end's value.
public struct IsotonicCalibration: Sendable, Equatable {
    /// The fitted points' scores, strictly increasing.
    public private(set) var thresholds: [Double]
    /// The fitted probability at each of ``thresholds``, non-decreasing.
    public private(set) var values: [Double]

    /// A calibration from fitted points, as ``thresholds`` and ``values`` hold them.
    ///
    /// - Precondition: equally many, at least one, thresholds increasing.
    public init(thresholds: [Double], values: [Double]) {
        precondition(!thresholds.isEmpty && thresholds.count == values.count, "calibration: unequal or empty points")
        self.thresholds = thresholds
        self.values = values
    }

    /// Fits the calibration on rows with a score and an outcome (1 = positive class, 0 = other).
    ///
    /// - Returns: `nil` when there are no rows or a score is not finite.
    public static func fit(scores: [Double], outcomes: [Bool]) -> IsotonicCalibration? {
        precondition(scores.count == outcomes.count, "calibration: one outcome per score")
        guard !scores.isEmpty, scores.allSatisfy(\.isFinite) else { return nil }
        // Sorted by score, ties by outcome (numpy's lexsort((y, X)), as scikit-learn sorts).
        let order = scores.indices.sorted {
            scores[$0] < scores[$1] || (scores[$0] == scores[$1] && !outcomes[$0] && outcomes[$1])
        }
        return fitSorted(scores: order.map { scores[$0] }, outcomes: order.map { outcomes[$0] ? 1.0 : 0.0 })
    }

    /// Fits on rows already sorted by score.
    static func fitSorted(scores: [Double], outcomes: [Double]) -> IsotonicCalibration {
        // Merge (near-)equal scores: weighted mean outcome, weight = rows.
        let resolution = 1e-15
        var x: [Double] = [], y: [Double] = [], w: [Double] = []
        var currentX = scores[0], sumY = 0.0, weight = 0.0
        for (score, outcome) in zip(scores, outcomes) {
            if score - currentX >= resolution {
                x.append(currentX)
                y.append(sumY / weight)
                w.append(weight)
                currentX = score
                sumY = outcome
                weight = 1
            } else {
                sumY += outcome
                weight += 1
            }
        }
        x.append(currentX)
        y.append(sumY / weight)
        w.append(weight)
        poolAdjacentViolators(&y, weights: &w)
        // Drop inner points whose value equals both neighbours': the interpolation stays the same.
        var keptX: [Double] = [], keptY: [Double] = []
        for i in x.indices where i == 0 || i == x.count - 1 || y[i] != y[i - 1] || y[i] != y[i + 1] {
            keptX.append(x[i])
            keptY.append(y[i])
        }
        return IsotonicCalibration(thresholds: keptX, values: keptY)
    }

    /// Pool-adjacent-violators in place (scikit-learn's single-pass variant with backtracking).
    static func poolAdjacentViolators(_ y: inout [Double], weights w: inout [Double]) {
        let n = y.count
        var target = Array(0..<n)
        var i = 0
        while i < n {
            var k = target[i] + 1
            if k == n { break }
            if y[i] < y[k] {
                i = k
                continue
            }
            var sumWY = w[i] * y[i], sumW = w[i]
            while true {
                let previous = y[k]
                sumWY += w[k] * y[k]
                sumW += w[k]
                k = target[k] + 1
                if k == n || previous < y[k] {
                    y[i] = sumWY / sumW
                    w[i] = sumW
                    target[i] = k - 1
                    target[k - 1] = i
                    if i > 0 { i = target[i - 1] }
                    break
                }
            }
        }
        i = 0
        while i < n {
            let k = target[i] + 1
            for j in (i + 1)..<max(k, i + 1) { y[j] = y[i] }
            i = k
        }
    }

    /// The calibrated probability of `score`.
    @inline(__always)
    public func callAsFunction(_ score: Double) -> Double {
        let n = thresholds.count
        if score <= thresholds[0] { return values[0] }
        if score >= thresholds[n - 1] { return values[n - 1] }
        // Last threshold <= score.
        var low = 0, high = n - 1
        while high - low > 1 {
            let middle = (low + high) >> 1
            if thresholds[middle] <= score { low = middle } else { high = middle }
        }
        return Self.interpolate(score, low: low, thresholds, values)
    }

    /// numpy's `interp` between points `low` and `low + 1`.
    @inline(__always)
    static func interpolate(_ score: Double, low: Int, _ x: [Double], _ y: [Double]) -> Double {
        if score == x[low] { return y[low] }
        let slope = (y[low + 1] - y[low]) / (x[low + 1] - x[low])
        var value = slope * (score - x[low]) + y[low]
        if value.isNaN {
            value = slope * (score - x[low + 1]) + y[low + 1]
            if value.isNaN, y[low] == y[low + 1] { value = y[low] }
        }
        return value
    }
}
