/// `metrics.json`'s `estimated`: a period's metrics estimated from its
/// scores (CBPE), each `null` where undefined.
public struct EstimatedMetrics: Codable, Sendable, Equatable {
    /// `cbpe`.
    public var method: String
    public var accuracy: Double?
    public var accuracyLower: Double?
    public var accuracyUpper: Double?
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    public var rocAUC: Double?

    public init(
        method: String = "cbpe", accuracy: Double?, accuracyLower: Double?, accuracyUpper: Double?, precision: Double?,
        recall: Double?, f1: Double?, rocAUC: Double?
    ) {
        self.method = method
        self.accuracy = accuracy
        self.accuracyLower = accuracyLower
        self.accuracyUpper = accuracyUpper
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.rocAUC = rocAUC
    }

    enum CodingKeys: String, CodingKey {
        case method, accuracy, precision, recall, f1
        case accuracyLower = "accuracy_lower"
        case accuracyUpper = "accuracy_upper"
        case rocAUC = "roc_auc"
    }

    /// Writes every field, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(accuracyLower, forKey: .accuracyLower)
        try c.encode(accuracyUpper, forKey: .accuracyUpper)
        try c.encode(precision, forKey: .precision)
        try c.encode(recall, forKey: .recall)
        try c.encode(f1, forKey: .f1)
        try c.encode(rocAUC, forKey: .rocAUC)
    }
}

/// `metrics.json`'s `score_drift`: how far a period's scores moved from the reference's.
public struct ScoreDriftRecord: Codable, Sendable, Equatable {
    public var psi: Double
    public var ksStatistic: Double
    public var ksPValue: Double
    /// `true` when `MONITOR_MAX_PSI` is set and `psi` exceeds it; `false` when
    /// set and not exceeded; `nil` when not set.
    public var drifted: Bool?

    public init(psi: Double, ksStatistic: Double, ksPValue: Double, drifted: Bool? = nil) {
        self.psi = psi
        self.ksStatistic = ksStatistic
        self.ksPValue = ksPValue
        self.drifted = drifted
    }

    enum CodingKeys: String, CodingKey {
        case psi, drifted
        case ksStatistic = "ks_statistic"
        case ksPValue = "ks_p_value"
    }

    /// Writes every field, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(psi, forKey: .psi)
        try c.encode(ksStatistic, forKey: .ksStatistic)
        try c.encode(ksPValue, forKey: .ksPValue)
        try c.encode(drifted, forKey: .drifted)
    }
}

/// What `get-predictions` estimated for a period (in `summary.json`), for `check-model`.
public struct EstimateRecord: Codable, Sendable, Equatable {
    public var period: Int
    /// `nil` with ``estimatedReason`` when the period has no estimate.
    public var estimated: EstimatedMetrics?
    public var estimatedReason: String?
    /// `nil` when the period's scores could not be compared with a reference.
    public var scoreDrift: ScoreDriftRecord?

    public init(period: Int, estimated: EstimatedMetrics?, estimatedReason: String?, scoreDrift: ScoreDriftRecord?) {
        self.period = period
        self.estimated = estimated
        self.estimatedReason = estimatedReason
        self.scoreDrift = scoreDrift
    }

    enum CodingKeys: String, CodingKey {
        case period, estimated
        case estimatedReason = "estimated_reason"
        case scoreDrift = "score_drift"
    }

    /// Writes every field, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(period, forKey: .period)
        try c.encode(estimated, forKey: .estimated)
        try c.encode(estimatedReason, forKey: .estimatedReason)
        try c.encode(scoreDrift, forKey: .scoreDrift)
    }
}
