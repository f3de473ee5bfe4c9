@testable import MonitorPolicy
import Testing

/// A period with `n` labeled rows of which `x` are correct.
func period(labeled n: Int, correct x: Int) -> PeriodMetrics {
    PeriodMetrics(
        rows: n, labeled: n, unlabeled: 0, correct: x,
        accuracy: n > 0 ? Double(x) / Double(n) : nil,
        precision: nil, recall: nil, f1: nil, rocAUC: nil,
        averaging: .binary, confusion: ConfusionMatrix(labels: [], matrix: []), undefinedReasons: [:]
    )
}

/// `actual` within a relative 1e-9 of `expected` (absolute 1e-15 near zero).
func expectPValue(_ actual: Double?, _ expected: Double?, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let expected else {
        #expect(actual == nil, sourceLocation: sourceLocation)
        return
    }
    guard let actual else {
        Issue.record("p-value is nil, expected \(expected)", sourceLocation: sourceLocation)
        return
    }
    #expect(abs(actual - expected) <= max(1e-9 * expected, 1e-15), "p = \(actual) ≠ \(expected)", sourceLocation: sourceLocation)
}

struct DegradationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var n: Int
    var x: Int
    var baseline: Baseline
    var policy = DegradationPolicy()
    var isLastPeriod = false
    var degraded: Bool
    var insufficient = false
    var decision: Decision
    var drop: Double?
    /// From scripts/expected-metrics.py (statsmodels proportions_ztest, alternative='smaller' = scipy norm.cdf(z)).
    var pValue: Double?
    var reason: String

    var testDescription: String { name }
}

let noBaselineReason = "no baseline yet: only the minimum accuracy applies"

let degradationCases: [DegradationCase] = [
    DegradationCase(
        name: "below the minimum, no baseline", n: 500, x: 306, baseline: .unavailable(reason: "no baseline yet"),
        policy: DegradationPolicy(minAccuracy: 0.80),
        degraded: true, decision: .stopDegraded,
        reason: "accuracy 61.20% below minimum 80.00%; " + noBaselineReason
    ),
    DegradationCase(
        name: "significant drop vs period 0", n: 500, x: 413, baseline: .firstPeriod(accuracy: 0.95, labeled: 1000, correct: 950),
        degraded: true, decision: .stopDegraded, drop: 0.95 - 0.826, pValue: 1.942555277778653e-15,
        reason: "accuracy dropped 12.40 points from baseline 95.00% (max 5.00), p < 0.0001 < 0.05 (two-proportion z-test vs period 0)"
    ),
    DegradationCase(
        name: "significant drop vs reference", n: 100, x: 83, baseline: .reference(accuracy: 0.90),
        degraded: true, decision: .stopDegraded, drop: 0.90 - 0.83, pValue: 0.00981532862864528,
        reason: "accuracy dropped 7.00 points from baseline 90.00% (max 5.00), p = 0.0098 < 0.05 (one-sample z-test vs reference)"
    ),
    DegradationCase(
        name: "significant drop, p far in the tail", n: 200, x: 170, baseline: .reference(accuracy: 0.95),
        degraded: true, decision: .stopDegraded, drop: 0.95 - 0.85, pValue: 4.324504840426498e-11,
        reason: "accuracy dropped 10.00 points from baseline 95.00% (max 5.00), p < 0.0001 < 0.05 (one-sample z-test vs reference)"
    ),
    DegradationCase(
        name: "drop above the maximum but not significant vs period 0", n: 40, x: 35,
        baseline: .firstPeriod(accuracy: 0.94, labeled: 50, correct: 47),
        degraded: false, decision: .continue, drop: 0.94 - 0.875, pValue: 0.14080550732860841,
        reason: "accuracy dropped 6.50 points from baseline 94.00% (max 5.00) but the drop is not significant: p = 0.1408 ≥ 0.05 (two-proportion z-test vs period 0)"
    ),
    DegradationCase(
        name: "drop above the maximum but not significant vs reference", n: 1000, x: 940, baseline: .reference(accuracy: 0.95),
        policy: DegradationPolicy(maxDrop: 0.005),
        degraded: false, decision: .continue, drop: 0.95 - 0.94, pValue: 0.07339654365428538,
        reason: "accuracy dropped 1.00 points from baseline 95.00% (max 0.50) but the drop is not significant: p = 0.0734 ≥ 0.05 (one-sample z-test vs reference)"
    ),
    DegradationCase(
        name: "significant at 0.1, not at 0.05", n: 40, x: 36, baseline: .reference(accuracy: 0.95),
        policy: DegradationPolicy(maxDrop: 0.04, significance: 0.1),
        degraded: true, decision: .stopDegraded, drop: 0.95 - 0.9, pValue: 0.07339654365428581,
        reason: "accuracy dropped 5.00 points from baseline 95.00% (max 4.00), p = 0.0734 < 0.1 (one-sample z-test vs reference)"
    ),
    DegradationCase(
        name: "below the minimum and a significant drop", n: 120, x: 100,
        baseline: .firstPeriod(accuracy: 0.95, labeled: 200, correct: 190),
        policy: DegradationPolicy(minAccuracy: 0.85),
        degraded: true, decision: .stopDegraded, drop: 0.95 - 100.0 / 120.0, pValue: 0.00026382433706973103,
        reason: "accuracy 83.33% below minimum 85.00%; accuracy dropped 11.67 points from baseline 95.00% (max 5.00), p = 0.0003 < 0.05 (two-proportion z-test vs period 0)"
    ),
    DegradationCase(
        name: "insufficient ground truth", n: 10, x: 2, baseline: .reference(accuracy: 0.95),
        policy: DegradationPolicy(minAccuracy: 0.80),
        degraded: false, insufficient: true, decision: .continue,
        reason: "insufficient ground truth: 10 labeled rows < minimum 30"
    ),
    DegradationCase(
        name: "no labeled rows with no minimum count", n: 0, x: 0, baseline: .reference(accuracy: 0.95),
        policy: DegradationPolicy(minLabeled: 0),
        degraded: false, insufficient: true, decision: .continue,
        reason: "insufficient ground truth: no labeled rows"
    ),
    DegradationCase(
        name: "no baseline and no minimum", n: 100, x: 50, baseline: .unavailable(reason: "no baseline yet"),
        degraded: false, decision: .continue, reason: noBaselineReason
    ),
    DegradationCase(
        name: "no baseline, above the minimum", n: 100, x: 90, baseline: .unavailable(reason: "no baseline yet"),
        policy: DegradationPolicy(minAccuracy: 0.80),
        degraded: false, decision: .continue, reason: noBaselineReason
    ),
    DegradationCase(
        name: "within thresholds", n: 1000, x: 938, baseline: .reference(accuracy: 0.95),
        degraded: false, decision: .continue, drop: 0.95 - 0.938,
        reason: "within thresholds (drop 1.20 points from baseline 95.00%)"
    ),
    DegradationCase(
        name: "above the baseline", n: 100, x: 97, baseline: .firstPeriod(accuracy: 0.95, labeled: 1000, correct: 950),
        degraded: false, decision: .continue, drop: 0.95 - 0.97,
        reason: "within thresholds (2.00 points above baseline 95.00%)"
    ),
    DegradationCase(
        name: "continue policy records the degradation and goes on", n: 500, x: 413,
        baseline: .firstPeriod(accuracy: 0.95, labeled: 1000, correct: 950),
        policy: DegradationPolicy(action: .continue),
        degraded: true, decision: .continue, drop: 0.95 - 0.826, pValue: 1.942555277778653e-15,
        reason: "accuracy dropped 12.40 points from baseline 95.00% (max 5.00), p < 0.0001 < 0.05 (two-proportion z-test vs period 0)"
    ),
    DegradationCase(
        name: "last period, degraded, stop policy", n: 300, x: 270,
        baseline: .firstPeriod(accuracy: 0.95, labeled: 1000, correct: 950),
        policy: DegradationPolicy(maxDrop: 0.04), isLastPeriod: true,
        degraded: true, decision: .stopDegraded, drop: 0.95 - 0.9, pValue: 0.0007870681183613097,
        reason: "accuracy dropped 5.00 points from baseline 95.00% (max 4.00), p = 0.0008 < 0.05 (two-proportion z-test vs period 0)"
    ),
    DegradationCase(
        name: "last period, degraded, continue policy", n: 300, x: 270,
        baseline: .firstPeriod(accuracy: 0.95, labeled: 1000, correct: 950),
        policy: DegradationPolicy(maxDrop: 0.04, action: .continue), isLastPeriod: true,
        degraded: true, decision: .lastPeriod, drop: 0.95 - 0.9, pValue: 0.0007870681183613097,
        reason: "accuracy dropped 5.00 points from baseline 95.00% (max 4.00), p = 0.0008 < 0.05 (two-proportion z-test vs period 0)"
    ),
    DegradationCase(
        name: "last period, within thresholds", n: 1000, x: 938, baseline: .reference(accuracy: 0.95), isLastPeriod: true,
        degraded: false, decision: .lastPeriod, drop: 0.95 - 0.938,
        reason: "within thresholds (drop 1.20 points from baseline 95.00%)"
    ),
    DegradationCase(
        name: "last period, insufficient ground truth", n: 3, x: 3, baseline: .unavailable(reason: "no baseline yet"), isLastPeriod: true,
        degraded: false, insufficient: true, decision: .lastPeriod,
        reason: "insufficient ground truth: 3 labeled rows < minimum 30"
    ),
    DegradationCase(
        name: "a reference of 100%: exact binomial test, any miss is significant", n: 100, x: 90, baseline: .reference(accuracy: 1.0),
        degraded: true, decision: .stopDegraded, drop: 0.1, pValue: 0,
        reason: "accuracy dropped 10.00 points from baseline 100.00% (max 5.00), p < 0.0001 < 0.05 (exact binomial test vs reference)"
    ),
    DegradationCase(
        name: "zero standard error, not below the baseline", n: 50, x: 0,
        baseline: .firstPeriod(accuracy: 0, labeled: 50, correct: 0),
        policy: DegradationPolicy(maxDrop: -1),
        degraded: false, decision: .continue, drop: 0, pValue: 1,
        reason: "accuracy dropped 0.00 points from baseline 0.00% (max -100.00) but the drop is not significant: p = 1.0000 ≥ 0.05 (two-proportion z-test vs period 0)"
    ),
]

@Suite("Degradation")
struct DegradationTests {
    @Test(arguments: degradationCases)
    func assess(_ c: DegradationCase) {
        let a = Degradation.assess(period(labeled: c.n, correct: c.x), baseline: c.baseline, policy: c.policy, isLastPeriod: c.isLastPeriod)
        #expect(a.degraded == c.degraded)
        #expect(a.insufficientGroundTruth == c.insufficient)
        #expect(a.decision == c.decision)
        #expect(a.reason == c.reason)
        #expect(a.baselineAccuracy == c.baseline.accuracy)
        expectClose(a.drop, c.drop, tolerance: 1e-12, "drop")
        expectPValue(a.pValue, c.pValue)
        for value in [a.drop, a.pValue, a.baselineAccuracy].compactMap({ $0 }) {
            #expect(value.isFinite)
        }
    }

    /// statsmodels `proportions_ztest(x, n, value=a, alternative='smaller', prop_var=a)`.
    @Test(arguments: [
        (100, 83, 0.90, 0.00981532862864528),
        (200, 170, 0.95, 4.324504840426498e-11),
        (40, 36, 0.95, 0.07339654365428581),
        (500, 455, 0.95, 2.031097794526878e-05),
        (1000, 940, 0.95, 0.07339654365428538),
    ] as [(Int, Int, Double, Double)])
    func oneSampleZTest(n: Int, x: Int, reference: Double, expected: Double) {
        let test = Degradation.dropTest(accuracy: Double(x) / Double(n), labeled: n, correct: x, baseline: .reference(accuracy: reference))
        expectPValue(test.pValue, expected)
    }

    /// statsmodels `proportions_ztest([x, x0], [n, n0], alternative='smaller')` (pooled variance).
    @Test(arguments: [
        (500, 413, 1000, 950, 1.942555277778653e-15),
        (40, 35, 50, 47, 0.14080550732860841),
        (300, 270, 1000, 950, 0.0007870681183613097),
        (120, 100, 200, 190, 0.00026382433706973103),
    ] as [(Int, Int, Int, Int, Double)])
    func pooledTwoProportionZTest(n: Int, x: Int, n0: Int, x0: Int, expected: Double) {
        let baseline = Baseline.firstPeriod(accuracy: Double(x0) / Double(n0), labeled: n0, correct: x0)
        let test = Degradation.dropTest(accuracy: Double(x) / Double(n), labeled: n, correct: x, baseline: baseline)
        expectPValue(test.pValue, expected)
    }

    /// scipy `norm.cdf(z)`.
    @Test(arguments: [
        (-8.0, 6.22096057427174e-16),
        (-3.0, 0.0013498980316300933),
        (-1.6448536269514722, 0.050000000000000044),
        (-1.0, 0.15865525393145707),
        (0.0, 0.5),
        (0.5, 0.6914624612740131),
        (2.0, 0.9772498680518208),
    ])
    func normalCDF(z: Double, expected: Double) {
        expectPValue(NormalDistribution.cdf(z), expected)
    }

    @Test func zeroStandardErrorGivesNoNaN() {
        #expect(Degradation.pValue(estimate: 0.9, baseline: 1.0, standardError: 0) == 0)
        #expect(Degradation.pValue(estimate: 1.0, baseline: 1.0, standardError: 0) == 1)
        #expect(Degradation.pValue(estimate: 0.9, baseline: 1.0, standardError: .nan) == 0)
    }

    @Test("a drop of exactly the maximum is within it, whatever the baseline; a point more is degraded", arguments: [0.95, 0.85, 0.75, 0.65, 0.55, 0.30])
    func maxDropBoundary(base: Double) {
        let x0 = Int((base * 1000).rounded())
        let baselines: [Baseline] = [
            .firstPeriod(accuracy: Double(x0) / 1000, labeled: 1000, correct: x0), .reference(accuracy: Double(x0) / 1000),
        ]
        for baseline in baselines {
            let atMax = Degradation.assess(period(labeled: 1000, correct: x0 - 50), baseline: baseline, policy: DegradationPolicy(), isLastPeriod: false)
            #expect(!atMax.degraded, "\(baseline): \(atMax.reason)")
            #expect(atMax.reason.hasPrefix("within thresholds (drop 5.00 points"), "\(atMax.reason)")
            let beyond = Degradation.assess(period(labeled: 1000, correct: x0 - 51), baseline: baseline, policy: DegradationPolicy(), isLastPeriod: false)
            #expect(beyond.degraded, "\(baseline): \(beyond.reason)")
            #expect(beyond.reason.contains("dropped 5.10 points"), "\(beyond.reason)")
        }
    }

    @Test("a drop just past the maximum prints with the decimals that show it")
    func dropPrintedApart() {
        let a = Degradation.assess(
            period(labeled: 100_000, correct: 89_996), baseline: .reference(accuracy: 0.95), policy: DegradationPolicy(), isLastPeriod: false
        )
        #expect(a.reason.contains("dropped 5.004 points from baseline 95.00% (max 5.000)"), "\(a.reason)")
    }
}
