/// What to do when a period is degraded.
public enum DegradationAction: String, Sendable, CaseIterable {
    /// Record the alert and stop the pipeline (`check-model` exits 3).
    case stop
    /// Record the alert and go on with the next period.
    case `continue`
}

/// The degradation thresholds with their defaults (docs/monitoring.md).
///
/// Callers validate the values (fractions in `0...1`, `minLabeled >= 0`);
/// ``Degradation`` uses them as given.
public struct DegradationPolicy: Sendable, Equatable {
    /// Accuracy below this is degraded, whatever the baseline; `nil` = off.
    public var minAccuracy: Double?
    /// Largest tolerated drop from the baseline, as a fraction (0.05 = 5 points).
    public var maxDrop: Double
    /// Level of the one-sided drop test.
    public var significance: Double
    /// Fewer labeled rows than this → insufficient ground truth, not judged.
    public var minLabeled: Int
    public var action: DegradationAction
    /// A period whose score PSI exceeds this is flagged as drifted; `nil` = not judged.
    public var maxPSI: Double?
    /// What to do when a period without enough labels is degraded by its estimate.
    public var estimatedAction: DegradationAction

    public init(
        minAccuracy: Double? = nil, maxDrop: Double = 0.05, significance: Double = 0.05, minLabeled: Int = 30,
        action: DegradationAction = .stop, maxPSI: Double? = nil, estimatedAction: DegradationAction = .continue
    ) {
        self.minAccuracy = minAccuracy
        self.maxDrop = maxDrop
        self.significance = significance
        self.minLabeled = minLabeled
        self.action = action
        self.maxPSI = maxPSI
        self.estimatedAction = estimatedAction
    }
}
