@testable import MonitorPolicy
import Testing

/// Values from scripts/expected-estimation.py (scikit-learn, numpy, scipy), computed once and kept here.
@Suite("Estimated performance and score drift against independent values")
struct EstimationTests {
    struct IsotonicCase: Sendable, CustomTestStringConvertible {
        var scores: [Double]
        var outcomes: [Bool]
        var queries: [Double]
        var expected: [Double]
        var testDescription: String { "\(scores.count) rows" }
    }

    static let isotonicCases = [
        IsotonicCase(
            scores: [0.1, 0.2, 0.2, 0.3, 0.35, 0.5, 0.5, 0.5, 0.6, 0.8, 0.9, 0.9],
            outcomes: [false, true, false, false, true, true, false, true, false, true, true, true],
            queries: [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.33, 0.35, 0.5, 0.55, 0.6, 0.7, 0.8, 0.85, 0.9, 1.0],
            expected: [
                0.0, 0.0, 0.1666666666666666, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 0.4933333333333335,
                0.6, 0.6, 0.6, 0.6, 0.7999999999999998, 1.0, 1.0, 1.0, 1.0,
            ]
        ),
        IsotonicCase(
            scores: [
                0.28, 0.46, 0.12, 0.52, 0.41, 0.07, 0.1, 0.99, 0.69, 0.45, 0.64, 0.27, 0.3, 0.07, 0.05, 0.81, 0.81, 0.0, 0.33, 0.09,
                0.47, 0.62, 0.55, 0.13, 0.7, 0.61, 0.47, 0.3, 0.92, 0.08, 0.14, 0.38, 0.26, 0.62, 0.69, 0.7, 0.77, 0.18, 0.75, 0.25,
                0.54, 0.22, 0.81, 0.11, 0.43, 0.63, 0.7, 0.1, 0.98, 0.29, 0.45, 0.3, 0.04, 0.24, 0.33, 0.58, 0.07, 0.93, 0.2, 0.53,
            ],
            outcomes: [
                false, false, false, false, false, false, false, true, true, false, true, true, false, false, false, true, true,
                false, false, false, false, false, false, false, false, false, false, false, true, false, false, false, false, true,
                false, false, true, false, false, false, false, false, true, false, false, true, true, false, true, false, false,
                false, false, false, false, false, false, false, false, false,
            ],
            queries: [0.0, 0.005, 0.123, 0.5, 0.777, 0.999, 1.0, 0.28, 0.46, 0.12, 0.52, 0.41, 0.07, 0.1, 0.99],
            expected: [
                0.0, 0.0, 0.0, 0.045454545454545456, 0.8333333333333334, 1.0, 1.0, 0.045454545454545456, 0.045454545454545456, 0.0,
                0.045454545454545456, 0.045454545454545456, 0.0, 0.0, 1.0,
            ]
        ),
    ]

    @Test("isotonic calibration as scikit-learn's IsotonicRegression(out_of_bounds=\"clip\")", arguments: isotonicCases)
    func isotonic(_ c: IsotonicCase) throws {
        let calibration = try #require(IsotonicCalibration.fit(scores: c.scores, outcomes: c.outcomes))
        for (query, expected) in zip(c.queries, c.expected) {
            #expect(abs(calibration(query) - expected) <= 1e-12, "at score \(query)")
        }
        // The walk the estimate uses gives the same values.
        var pointer = CBPE.CalibrationPointer(calibration)
        for query in c.queries.sorted() {
            #expect(pointer.probability(query) == calibration(query))
        }
    }

    @Test("isotonic calibration keeps scikit-learn's fitted points")
    func isotonicPoints() throws {
        let calibration = try #require(
            IsotonicCalibration.fit(scores: Self.endToEnd.referenceScores.enumerated().compactMap { Self.endToEnd.referenceLabels[$0.offset] == nil ? nil : $0.element },
                                    outcomes: Self.endToEnd.referenceLabels.compactMap { $0.map { $0 == "1" } })
        )
        #expect(calibration.thresholds == [0.05, 0.1, 0.15, 0.4, 0.45, 0.6, 0.65, 0.75, 0.8, 0.95])
        let values = [0.0, 0.0, 0.3333333333333333, 0.3333333333333333, 0.6, 0.6, 0.6666666666666666, 0.6666666666666666, 1.0, 1.0]
        #expect(zip(calibration.values, values).allSatisfy { abs($0 - $1) <= 1e-12 })
    }

    struct DriftCase: Sendable, CustomTestStringConvertible {
        var reference: [Double]
        var actual: [Double]
        var edges: [Double]
        var psi: Double
        var ks: Double
        var ksP: Double
        var testDescription: String { "\(reference.count) vs \(actual.count)" }
    }

    static let driftCases = [
        DriftCase(
            reference: [0.1, 0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.5, 0.6, 0.7, 0.8, 0.9, 0.9, 0.95, 0.99],
            actual: [0.2, 0.2, 0.5, 0.5, 0.5, 0.55, 0.9, 0.9, 0.99, 1.0],
            edges: [0.2, 0.32, 0.4600000000000001, 0.5, 0.64, 0.7799999999999999, 0.9, 0.9299999999999999],
            psi: 1.9432133848545725, ks: 0.2, ksP: 0.9700409026075869
        ),
        DriftCase(
            reference: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7], actual: [0.4, 0.5, 0.5, 0.8],
            edges: [0.5, 0.52, 0.61], psi: 2.923758549038147, ks: 0.25, ksP: 0.9940739728520818
        ),
    ]

    @Test("PSI over the reference's deciles and KS, as numpy and scipy compute them", arguments: driftCases)
    func drift(_ c: DriftCase) throws {
        let reference = try #require(Self.reference(scores: c.reference))
        #expect(reference.binEdges == c.edges)
        let sorted = c.actual.sorted()
        let drift = sorted.withUnsafeBufferPointer { ScoreDrift.measure(sortedScores: $0, reference: reference) }
        #expect(abs(drift.psi - c.psi) <= 1e-12)
        #expect(drift.ksStatistic == c.ks)
        #expect(abs(drift.ksPValue - c.ksP) <= 1e-9)
    }

    /// (i · multiplier) mod 1, bent by v → (1 − bend) v + bend v², as the script builds it.
    static func sequence(_ n: Int, multiplier: Double, bend: Double) -> [Double] {
        (1...n).map { i in
            let v = (Double(i) * multiplier).truncatingRemainder(dividingBy: 1)
            return (1 - bend) * v + bend * v * v
        }
    }

    @Test("PSI and KS on 1,200 vs 1,000 scores; the p-value near scipy's ks_2samp(method=\"asymp\")")
    func largeDrift() throws {
        let reference = try #require(Self.reference(scores: Self.sequence(1200, multiplier: 0.6180339887498949, bend: 0)))
        let sorted = Self.sequence(1000, multiplier: 0.41421356237309503, bend: 0.3).sorted()
        let drift = sorted.withUnsafeBufferPointer { ScoreDrift.measure(sortedScores: $0, reference: reference) }
        #expect(abs(drift.psi - 0.030750722836900633) <= 1e-12)
        #expect(abs(drift.ksStatistic - 0.07733333333333334) <= 1e-15)
        #expect(abs(drift.ksPValue - 0.002935216584516509) <= 1e-9)
        #expect(abs(drift.ksPValue - 0.0027858460304785154) <= 1e-3)
    }

    @Test("the Kolmogorov survival function as scipy's kstwobign.sf, on both sides of its cut-over")
    func kolmogorov() {
        let x = [0.05, 0.2, 0.5, 0.8, 0.82, 0.83, 1.0, 1.3581, 2.0, 3.0, 6.0]
        let sf = [
            1.0, 0.999999999999495, 0.9639452436648751, 0.5441424115741981, 0.5119717052984973, 0.4961909953505036,
            0.26999967167735456, 0.0499996304316674, 0.0006709252557796953, 3.045995948942526e-08, 1.0760372320042276e-31,
        ]
        for (x, expected) in zip(x, sf) {
            #expect(abs(ScoreDrift.kolmogorovSurvival(x) - expected) <= 1e-9, "at \(x)")
        }
        #expect(ScoreDrift.kolmogorovSurvival(0) == 1)
    }

    struct EndToEnd {
        var referenceScores: [Double]
        var referenceLabels: [String?]
        var scores: [Double]
        var predictions: [String]
    }

    static let endToEnd: EndToEnd = {
        let referenceScores = [
            0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.3, 0.6, 0.9,
        ]
        let labels: [String?] = [
            "0", "0", "1", "0", "0", "1", "0", "0", "1", "1", "0", "1", "1", "1", "0", "1", "1", "1", "1", nil, "0", "1",
        ]
        let scores = [0.02, 0.12, 0.22, 0.3, 0.3, 0.47, 0.5, 0.58, 0.61, 0.72, 0.72, 0.8, 0.88, 0.97, 0.99]
        var predictions = scores.map { $0 >= 0.5 ? "1" : "0" }
        predictions[3] = "1"
        return EndToEnd(referenceScores: referenceScores, referenceLabels: labels, scores: scores, predictions: predictions)
    }()

    /// Class indices for "0" and "1".
    static func index(_ label: String?) -> Int32 { label.map { $0 == "1" ? 1 : 0 } ?? -1 }

    static func reference(scores: [Double]) -> EstimationReference? {
        try? EstimationReference.build(
            scores: scores, predictions: scores.map { $0 >= 0.5 ? 1 : 0 }, labels: scores.map { $0 >= 0.5 ? 1 : 0 },
            positiveIndex: 1, minLabeled: 1
        ).get()
    }

    @Test("CBPE end to end: expected confusion matrix, band, estimated ROC AUC, drift")
    func cbpeEndToEnd() throws {
        let e = Self.endToEnd
        let reference = try EstimationReference.build(
            scores: e.referenceScores, predictions: e.referenceScores.map { $0 >= 0.5 ? 1 : 0 },
            labels: e.referenceLabels.map(Self.index), positiveIndex: 1, minLabeled: 10
        ).get()
        #expect(abs(reference.accuracy - 0.7142857142857143) <= 1e-15)
        #expect(abs(reference.correctnessDeviation - 0.45175395145262565) <= 1e-15)
        #expect(reference.labeled == 21)
        #expect(reference.binEdges == [0.155, 0.26, 0.315, 0.42000000000000004, 0.525, 0.6, 0.6849999999999999, 0.79, 0.8950000000000001])
        let (estimate, drift) = CBPE.estimate(
            scores: e.scores, predictions: e.predictions.map { Self.index($0) }, positiveIndex: 1, reference: reference
        )
        let expected: [(Double?, Double)] = [
            (estimate.accuracy, 0.7386666666666667), (estimate.accuracyLower, 0.32055610026084047), (estimate.accuracyUpper, 1.0),
            (estimate.precision, 0.748), (estimate.recall, 0.8423423423423424), (estimate.f1, 0.7923728813559322),
            (estimate.rocAUC, 0.8559932481501108), (drift.psi, 0.7492803034994153), (drift.ksStatistic, 0.13333333333333333),
            (drift.ksPValue, 0.9973705244877469),
        ]
        for (index, (value, want)) in expected.enumerated() {
            let value = try #require(value, "value \(index)")
            #expect(abs(value - want) <= 1e-12, "value \(index): \(value) vs \(want)")
        }
    }

    @Test("hand-made: the expected confusion matrix and AUC from known probabilities")
    func handMade() throws {
        // Calibration that is the identity on [0, 1]: p = score.
        let calibration = IsotonicCalibration(thresholds: [0, 1], values: [0, 1])
        let reference = EstimationReference(
            calibration: calibration, binEdges: [0.5], binShares: [0.5, 0.5], sortedScores: [0.25, 0.75], accuracy: 1,
            correctnessDeviation: 0, labeled: 100
        )
        // Predicted positive: 0.8, 0.6 (TP 1.4, FP 0.6); negative: 0.2, 0.4 (FN 0.6, TN 1.4).
        let (estimate, _) = CBPE.estimate(scores: [0.8, 0.2, 0.6, 0.4], predictions: [1, 0, 1, 0], positiveIndex: 1, reference: reference)
        #expect(abs(estimate.accuracy - 0.7) <= 1e-15)
        #expect(abs(try #require(estimate.precision) - 0.7) <= 1e-15)
        #expect(abs(try #require(estimate.recall) - 0.7) <= 1e-15)
        // σ² = Σ p(1−p)/n² = (0.16 + 0.16 + 0.24 + 0.24)/16 = 0.05.
        #expect(abs(estimate.accuracyLower - (0.7 - 3 * 0.05.squareRoot())) <= 1e-15)
        #expect(estimate.accuracyUpper == 1)
        // Descending: 0.8, 0.6, 0.4, 0.2; P = 2, N = 2. Points (0,0) (.1,.4) (.3,.7) (.6,.9) (1,1):
        // area = .1·.2 + .2·.55 + .3·.8 + .4·.95 = 0.75.
        #expect(abs(try #require(estimate.rocAUC) - 0.75) <= 1e-15)

        // Ties in score count as one step: two rows at 0.5 and one at 1.0 → (0,0) (0,.5) (1,1): area 0.75.
        let (tied, _) = CBPE.estimate(scores: [0.5, 1.0, 0.5], predictions: [0, 1, 0], positiveIndex: 1, reference: reference)
        #expect(abs(try #require(tied.rocAUC) - 0.75) <= 1e-15)
        // Nothing predicted positive: precision undefined; every p 0: recall and AUC undefined.
        let (none, _) = CBPE.estimate(scores: [0, 0], predictions: [0, 0], positiveIndex: 1, reference: reference)
        #expect(none.precision == nil && none.recall == nil && none.f1 == nil && none.rocAUC == nil)
        #expect(none.accuracy == 1)
    }

    @Test("a reference with too few labeled rows gives no estimate, with the reason")
    func tooFewLabels() {
        let result = EstimationReference.build(
            scores: [0.1, 0.9, 0.5], predictions: [0, 1, 1], labels: [0, 1, -1], positiveIndex: 1, minLabeled: 30
        )
        #expect(throws: EstimationUnavailable("the reference has 2 labeled rows < minimum 30")) { try result.get() }
    }
}
