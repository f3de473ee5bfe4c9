/// What the pipeline does after a period (`metrics.json` `decision`).
public enum Decision: String, Sendable, Codable {
    case `continue`
    case stopDegraded = "stop_degraded"
    case lastPeriod = "last_period"
}

/// The verdict on one period.
public struct Assessment: Sendable, Equatable {
    public var degraded: Bool
    public var insufficientGroundTruth: Bool
    /// Human-readable: why degraded, why not judged, or "within thresholds …".
    public var reason: String
    public var baselineAccuracy: Double?
    /// `baseline - accuracy`, when both exist.
    public var drop: Double?
    /// One-sided p-value of the drop test, when it ran.
    public var pValue: Double?
    public var decision: Decision

    public init(
        degraded: Bool,
        insufficientGroundTruth: Bool,
        reason: String,
        baselineAccuracy: Double?,
        drop: Double?,
        pValue: Double?,
        decision: Decision
    ) {
        self.degraded = degraded
        self.insufficientGroundTruth = insufficientGroundTruth
        self.reason = reason
        self.baselineAccuracy = baselineAccuracy
        self.drop = drop
        self.pValue = pValue
        self.decision = decision
    }
}
