import MonitorPolicy

/// What `get-predictions` reports about a period's predictions (`summary.json`).
public struct PredictionSummary: Codable, Sendable, Equatable {
    public var period: Int
    public var totalPeriods: Int
    public var rows: Int
    public var positiveLabel: String
    /// Share of rows predicted as the positive label; `nil` for an empty period.
    public var predictedPositiveRate: Double?
    /// Rows per predicted class.
    public var predictedClasses: [String: Int]
    /// Score distribution, when the file has scores.
    public var scores: ScoreDistribution?
    /// The period's estimated metrics and score drift; `nil` when the file predates them.
    public var estimate: EstimateRecord?

    public init(period: Int, totalPeriods: Int, rows: Int, positiveLabel: String, predictedPositiveRate: Double?,
                predictedClasses: [String: Int], scores: ScoreDistribution?, estimate: EstimateRecord? = nil) {
        self.period = period
        self.totalPeriods = totalPeriods
        self.rows = rows
        self.positiveLabel = positiveLabel
        self.predictedPositiveRate = predictedPositiveRate
        self.predictedClasses = predictedClasses
        self.scores = scores
        self.estimate = estimate
    }

    enum CodingKeys: String, CodingKey {
        case period, rows, scores, estimate
        case totalPeriods = "total_periods"
        case positiveLabel = "positive_label"
        case predictedPositiveRate = "predicted_positive_rate"
        case predictedClasses = "predicted_classes"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(period, forKey: .period)
        try c.encode(totalPeriods, forKey: .totalPeriods)
        try c.encode(rows, forKey: .rows)
        try c.encode(positiveLabel, forKey: .positiveLabel)
        try c.encode(predictedPositiveRate, forKey: .predictedPositiveRate)
        try c.encode(predictedClasses, forKey: .predictedClasses)
        try c.encode(scores, forKey: .scores)
        try c.encodeIfPresent(estimate, forKey: .estimate)
    }
}

/// Ten equal bins over [0, 1] plus summary statistics of the scores.
public struct ScoreDistribution: Codable, Sendable, Equatable {
    /// `bins[i]` counts scores in `[i/10, (i+1)/10)`; the last bin includes 1.
    public var bins: [Int]
    public var mean: Double?
    public var min: Double?
    public var max: Double?

    public init(bins: [Int], mean: Double?, min: Double?, max: Double?) {
        self.bins = bins
        self.mean = mean
        self.min = min
        self.max = max
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(bins, forKey: .bins)
        try c.encode(mean, forKey: .mean)
        try c.encode(min, forKey: .min)
        try c.encode(max, forKey: .max)
    }
}

/// What `load-ground-truth` reports about the join (`coverage.json`).
public struct Coverage: Codable, Sendable, Equatable {
    public var period: Int
    public var totalPeriods: Int
    public var rows: Int
    /// Prediction rows with a label.
    public var labeled: Int
    /// Prediction rows without a label (none yet, or an empty one).
    public var unlabeled: Int
    /// Label rows whose id has no prediction.
    public var labelsWithoutPrediction: Int

    public init(period: Int, totalPeriods: Int, rows: Int, labeled: Int, unlabeled: Int, labelsWithoutPrediction: Int) {
        self.period = period
        self.totalPeriods = totalPeriods
        self.rows = rows
        self.labeled = labeled
        self.unlabeled = unlabeled
        self.labelsWithoutPrediction = labelsWithoutPrediction
    }

    enum CodingKeys: String, CodingKey {
        case period, rows, labeled, unlabeled
        case totalPeriods = "total_periods"
        case labelsWithoutPrediction = "labels_without_prediction"
    }
}

/// `metrics.json`, the store's external contract (docs/store.md lists every field).
public struct MetricsRecord: Codable, Sendable, Equatable {
    public struct Confusion: Codable, Sendable, Equatable {
        public var labels: [String]
        public var matrix: [[Int]]
        public init(labels: [String], matrix: [[Int]]) {
            self.labels = labels
            self.matrix = matrix
        }
    }

    public var period: Int
    public var totalPeriods: Int
    public var rows: Int
    public var labeled: Int
    public var unlabeled: Int
    public var correct: Int
    public var labelsWithoutPrediction: Int
    public var accuracy: Double?
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    public var rocAUC: Double?
    public var averaging: Averaging
    public var positiveLabel: String
    public var confusionMatrix: Confusion
    /// Metric name → why it is `null`.
    public var undefined: [String: String]
    public var baselineAccuracy: Double?
    /// `reference`, `period 0`, or `nil`.
    public var baselineSource: String?
    public var drop: Double?
    public var pValue: Double?
    public var degraded: Bool
    public var insufficientGroundTruth: Bool
    public var reason: String
    public var decision: Decision
    /// The policy's minimum accuracy when the period was checked; `nil` when off
    /// or when the file predates the field.
    public var minAccuracy: Double?
    /// The policy's maximum drop from the baseline; `nil` when the file predates the field.
    public var maxDrop: Double?
    /// In a binary data set, classes outside its two → occurrences among the
    /// period's predictions and labels; `nil` when the file predates the field.
    public var unexpectedClasses: [String: Int]?
    /// What decided binary or multiclass for the data set (`metadata task`,
    /// `period 0`, `reference set`…); `nil` when the file predates the field.
    public var averagingSource: String?
    /// The period's metrics estimated from its scores; `nil` with
    /// ``estimatedReason`` when there is no estimate.
    public var estimated: EstimatedMetrics?
    public var estimatedReason: String?
    /// How far the period's scores moved from the reference's; `nil` when not measured.
    public var scoreDrift: ScoreDriftRecord?
    /// The estimate judged the period degraded (only when labels are
    /// insufficient to judge it); `nil` when not judged on the estimate.
    public var estimatedDegraded: Bool?
    /// The policy's PSI threshold for `score_drift.drifted`; `nil` when off.
    public var maxPSI: Double?

    public init(period: Int, totalPeriods: Int, rows: Int, labeled: Int, unlabeled: Int, correct: Int,
                labelsWithoutPrediction: Int, accuracy: Double?, precision: Double?, recall: Double?, f1: Double?,
                rocAUC: Double?, averaging: Averaging, positiveLabel: String, confusionMatrix: Confusion,
                undefined: [String: String], baselineAccuracy: Double?, baselineSource: String?, drop: Double?,
                pValue: Double?, degraded: Bool, insufficientGroundTruth: Bool, reason: String, decision: Decision,
                minAccuracy: Double? = nil, maxDrop: Double? = nil, unexpectedClasses: [String: Int]? = nil,
                averagingSource: String? = nil, estimated: EstimatedMetrics? = nil, estimatedReason: String? = nil,
                scoreDrift: ScoreDriftRecord? = nil, estimatedDegraded: Bool? = nil, maxPSI: Double? = nil) {
        self.period = period
        self.totalPeriods = totalPeriods
        self.rows = rows
        self.labeled = labeled
        self.unlabeled = unlabeled
        self.correct = correct
        self.labelsWithoutPrediction = labelsWithoutPrediction
        self.accuracy = accuracy
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.rocAUC = rocAUC
        self.averaging = averaging
        self.positiveLabel = positiveLabel
        self.confusionMatrix = confusionMatrix
        self.undefined = undefined
        self.baselineAccuracy = baselineAccuracy
        self.baselineSource = baselineSource
        self.drop = drop
        self.pValue = pValue
        self.degraded = degraded
        self.insufficientGroundTruth = insufficientGroundTruth
        self.reason = reason
        self.decision = decision
        self.minAccuracy = minAccuracy
        self.maxDrop = maxDrop
        self.unexpectedClasses = unexpectedClasses
        self.averagingSource = averagingSource
        self.estimated = estimated
        self.estimatedReason = estimatedReason
        self.scoreDrift = scoreDrift
        self.estimatedDegraded = estimatedDegraded
        self.maxPSI = maxPSI
    }

    enum CodingKeys: String, CodingKey {
        case period, rows, labeled, unlabeled, correct, accuracy, precision, recall, f1, averaging, undefined
        case drop, degraded, reason, decision
        case totalPeriods = "total_periods"
        case labelsWithoutPrediction = "labels_without_prediction"
        case rocAUC = "roc_auc"
        case positiveLabel = "positive_label"
        case confusionMatrix = "confusion_matrix"
        case baselineAccuracy = "baseline_accuracy"
        case baselineSource = "baseline_source"
        case pValue = "p_value"
        case insufficientGroundTruth = "insufficient_ground_truth"
        case minAccuracy = "min_accuracy"
        case maxDrop = "max_drop"
        case unexpectedClasses = "unexpected_classes"
        case averagingSource = "averaging_source"
        case estimated
        case estimatedReason = "estimated_reason"
        case scoreDrift = "score_drift"
        case estimatedDegraded = "estimated_degraded"
        case maxPSI = "max_psi"
    }

    /// Writes every field, `null` included: the contract names them all.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(period, forKey: .period)
        try c.encode(totalPeriods, forKey: .totalPeriods)
        try c.encode(rows, forKey: .rows)
        try c.encode(labeled, forKey: .labeled)
        try c.encode(unlabeled, forKey: .unlabeled)
        try c.encode(correct, forKey: .correct)
        try c.encode(labelsWithoutPrediction, forKey: .labelsWithoutPrediction)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(precision, forKey: .precision)
        try c.encode(recall, forKey: .recall)
        try c.encode(f1, forKey: .f1)
        try c.encode(rocAUC, forKey: .rocAUC)
        try c.encode(averaging, forKey: .averaging)
        try c.encode(positiveLabel, forKey: .positiveLabel)
        try c.encode(confusionMatrix, forKey: .confusionMatrix)
        try c.encode(undefined, forKey: .undefined)
        try c.encode(baselineAccuracy, forKey: .baselineAccuracy)
        try c.encode(baselineSource, forKey: .baselineSource)
        try c.encode(drop, forKey: .drop)
        try c.encode(pValue, forKey: .pValue)
        try c.encode(degraded, forKey: .degraded)
        try c.encode(insufficientGroundTruth, forKey: .insufficientGroundTruth)
        try c.encode(reason, forKey: .reason)
        try c.encode(decision, forKey: .decision)
        try c.encode(minAccuracy, forKey: .minAccuracy)
        try c.encode(maxDrop, forKey: .maxDrop)
        try c.encode(unexpectedClasses, forKey: .unexpectedClasses)
        try c.encode(averagingSource, forKey: .averagingSource)
        try c.encode(estimated, forKey: .estimated)
        try c.encode(estimatedReason, forKey: .estimatedReason)
        try c.encode(scoreDrift, forKey: .scoreDrift)
        try c.encode(estimatedDegraded, forKey: .estimatedDegraded)
        try c.encode(maxPSI, forKey: .maxPSI)
    }
}
