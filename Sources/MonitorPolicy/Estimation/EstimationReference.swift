/// What a labeled reference set gives the estimate and the drift measures:
/// built once from the reference rows, then reused for every period.
public struct EstimationReference: Sendable, Equatable {
    /// Score → probability of the positive class, fitted on the labeled reference rows.
    public var calibration: IsotonicCalibration
    /// Inner edges of the drift bins: the reference scores' deciles, equal ones merged.
    public var binEdges: [Double]
    /// Share of reference scores in each of the `binEdges.count + 1` bins.
    public var binShares: [Double]
    /// Every reference row's score, ascending.
    public var sortedScores: [Double]
    /// Share of labeled reference rows predicted correctly.
    public var accuracy: Double
    /// Standard deviation of the labeled reference rows' correctness (1 or 0; population form, numpy's `std`).
    public var correctnessDeviation: Double
    /// Labeled reference rows.
    public var labeled: Int

    public init(
        calibration: IsotonicCalibration, binEdges: [Double], binShares: [Double], sortedScores: [Double],
        accuracy: Double, correctnessDeviation: Double, labeled: Int
    ) {
        self.calibration = calibration
        self.binEdges = binEdges
        self.binShares = binShares
        self.sortedScores = sortedScores
        self.accuracy = accuracy
        self.correctnessDeviation = correctnessDeviation
        self.labeled = labeled
    }

    /// Builds the reference from its rows.
    ///
    /// - Parameters:
    ///   - scores: every reference row's score.
    ///   - predictions: every row's predicted class index.
    ///   - labels: every row's true class index, -1 for a row without a label.
    ///   - positiveIndex: the positive class's index; `nil` when no row uses it.
    ///   - minLabeled: fewest labeled rows that make a reference.
    /// - Returns: the reference, or why there is none.
    public static func build(
        scores: [Double], predictions: [Int32], labels: [Int32], positiveIndex: Int32?, minLabeled: Int
    ) -> Result<EstimationReference, EstimationUnavailable> {
        precondition(scores.count == predictions.count && scores.count == labels.count, "reference: columns differ in length")
        var labeledScores: [Double] = [], outcomes: [Bool] = []
        var correct = 0
        for row in labels.indices where labels[row] >= 0 {
            labeledScores.append(scores[row])
            outcomes.append(labels[row] == positiveIndex)
            if labels[row] == predictions[row] { correct += 1 }
        }
        let labeled = labeledScores.count
        guard labeled >= max(minLabeled, 1) else {
            return .failure(.init("the reference has \(labeled) labeled rows < minimum \(max(minLabeled, 1))"))
        }
        guard let calibration = IsotonicCalibration.fit(scores: labeledScores, outcomes: outcomes) else {
            return .failure(.init("a reference score is not a finite number"))
        }
        let sorted = scores.sorted()
        let edges = ScoreDrift.decileEdges(sorted: sorted)
        let shares = sorted.withUnsafeBufferPointer { ScoreDrift.binCounts($0, edges: edges) }.map { Double($0) / Double(sorted.count) }
        let accuracy = Double(correct) / Double(labeled)
        return .success(
            EstimationReference(
                calibration: calibration, binEdges: edges, binShares: shares, sortedScores: sorted, accuracy: accuracy,
                correctnessDeviation: (accuracy * (1 - accuracy)).squareRoot(), labeled: labeled
            )
        )
    }
}

/// Why a period has no estimate (`metrics.json` `estimated_reason`).
public struct EstimationUnavailable: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
