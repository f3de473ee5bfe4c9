import Platform

/// How far a period's scores moved from the reference scores.
public struct ScoreDrift: Sendable, Equatable {
    /// Population stability index over the reference's decile bins.
    public var psi: Double
    /// Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical distributions.
    public var ksStatistic: Double
    /// The KS statistic's asymptotic p-value (the Kolmogorov distribution).
    public var ksPValue: Double

    public init(psi: Double, ksStatistic: Double, ksPValue: Double) {
        self.psi = psi
        self.ksStatistic = ksStatistic
        self.ksPValue = ksPValue
    }

    /// The share that replaces an empty bin's share in the PSI (so its logarithm stays finite).
    public static let emptyShare = 1e-4

    /// PSI and KS of `sortedScores` against the reference's.
    ///
    /// - Precondition: both sorted ascending, neither empty.
    static func measure(sortedScores: UnsafeBufferPointer<Double>, reference: EstimationReference) -> ScoreDrift {
        let counts = binCounts(sortedScores, edges: reference.binEdges)
        let n = Double(sortedScores.count)
        let psi = populationStabilityIndex(actual: counts.map { Double($0) / n }, reference: reference.binShares)
        let d = reference.sortedScores.withUnsafeBufferPointer { ksStatistic(sortedScores, $0) }
        let m = Double(reference.sortedScores.count)
        return ScoreDrift(psi: psi, ksStatistic: d, ksPValue: kolmogorovSurvival((n * m / (n + m)).squareRoot() * d))
    }

    /// The inner bin edges: the 10%…90% quantiles of sorted values (numpy's
    /// default linear interpolation), equal edges merged.
    public static func decileEdges(sorted values: [Double]) -> [Double] {
        precondition(!values.isEmpty, "decileEdges: no values")
        var edges: [Double] = []
        for tenth in 1...9 {
            let q = quantile(sorted: values, Double(tenth) / 10)
            if edges.last != q { edges.append(q) }
        }
        return edges
    }

    /// numpy's `quantile(values, q)` with the default (linear) method, from sorted values.
    static func quantile(sorted values: [Double], _ q: Double) -> Double {
        let position = Double(values.count - 1) * q
        let below = position.rounded(.down)
        let lower = Int(below)
        let t = position - below
        guard lower + 1 < values.count else { return values[values.count - 1] }
        let a = values[lower], b = values[lower + 1]
        // numpy's _lerp: from the nearer end.
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t
    }

    /// Counts per bin: bin 0 below the first edge, bin i in [edge i-1, edge i),
    /// the last at or above the last edge (a value on an edge goes up).
    static func binCounts(_ sorted: UnsafeBufferPointer<Double>, edges: [Double]) -> [Int] {
        var counts = [Int](repeating: 0, count: edges.count + 1)
        var start = 0
        for (bin, edge) in edges.enumerated() {
            // First index whose value is >= edge, by binary search from `start`.
            var low = start, high = sorted.count
            while low < high {
                let middle = (low + high) >> 1
                if sorted[middle] < edge { low = middle + 1 } else { high = middle }
            }
            counts[bin] = low - start
            start = low
        }
        counts[edges.count] = sorted.count - start
        return counts
    }

    /// Σ (aᵢ − rᵢ) ln(aᵢ / rᵢ), each empty share replaced by ``emptyShare``.
    public static func populationStabilityIndex(actual: [Double], reference: [Double]) -> Double {
        precondition(actual.count == reference.count, "PSI: bins differ")
        var psi = 0.0
        for (a, r) in zip(actual, reference) {
            let a = a == 0 ? emptyShare : a, r = r == 0 ? emptyShare : r
            psi += (a - r) * log(a / r)
        }
        return psi
    }

    /// The two-sample KS statistic of two sorted samples: the largest gap
    /// between their empirical distribution functions, over every value of either.
    public static func ksStatistic(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var i = 0, j = 0, gap = 0.0
        let n = Double(a.count), m = Double(b.count)
        while i < a.count && j < b.count {
            let value = min(a[i], b[j])
            while i < a.count && a[i] == value { i += 1 }
            while j < b.count && b[j] == value { j += 1 }
            gap = max(gap, abs(Double(i) / n - Double(j) / m))
        }
        return gap
    }

    /// P(K > x) for the Kolmogorov distribution (`scipy.stats.kstwobign.sf`):
    /// 2 Σ (−1)^(k−1) e^(−2k²x²) above 0.82, 1 − √(2π)/x Σ e^(−(2k−1)²π²/(8x²)) at or below.
    public static func kolmogorovSurvival(_ x: Double) -> Double {
        guard x > 0 else { return 1 }
        if x <= 0.82 {
            let w = (2 * Double.pi).squareRoot() / x
            var sum = 0.0
            for k in 1...50 {
                let odd = Double(2 * k - 1)
                let term = exp(-odd * odd * Double.pi * Double.pi / (8 * x * x))
                sum += term
                if term < 1e-300 || term < sum * 1e-17 { break }
            }
            return max(0, min(1, 1 - w * sum))
        }
        var sum = 0.0
        for k in 1...100 {
            let kk = Double(k)
            let term = exp(-2 * kk * kk * x * x)
            sum += k % 2 == 1 ? term : -term
            if term < 1e-300 || term < abs(sum) * 1e-17 { break }
        }
        return max(0, min(1, 2 * sum))
    }
}
