import ArgumentParser
import MonitorPolicy

/// `check-model`'s degradation thresholds: flags, else the job-level
/// environment (`MONITOR_*`), else the defaults.
public struct DegradationOptions: ParsableArguments, Sendable {
    @Option(help: "Minimum accuracy in [0, 1]; below it a period is degraded. [env: MONITOR_MIN_ACCURACY] (default: off)")
    public var minAccuracy: String?

    @Option(help: "Maximum drop from the baseline accuracy, in [0, 1]. [env: MONITOR_MAX_DROP] (default: 0.05)")
    public var maxDrop: String?

    @Option(help: "Significance level of the one-sided drop test, in (0, 1). [env: MONITOR_SIGNIFICANCE] (default: 0.05)")
    public var significance: String?

    @Option(help: "Minimum labeled rows to judge a period. [env: MONITOR_MIN_LABELED] (default: 30)")
    public var minLabeled: String?

    @Option(help: "What to do on degradation: stop or continue. [env: MONITOR_ON_DEGRADATION] (default: stop)")
    public var onDegradation: String?

    @Option(help: "Score PSI above which a period is flagged as drifted. [env: MONITOR_MAX_PSI] (default: off)")
    public var maxPsi: String?

    @Option(help: "When too few labels and the estimate says degraded: continue or stop. [env: MONITOR_ON_ESTIMATED_DEGRADATION] (default: continue)")
    public var onEstimatedDegradation: String?

    public init() {}

    /// The policy from flags, then `environment`, then defaults.
    func resolve(environment: [String: String]) throws(JobFailure) -> DegradationPolicy {
        let flags: [DegradationPolicy.Setting: String?] = [
            .minAccuracy: minAccuracy, .maxDrop: maxDrop, .significance: significance, .minLabeled: minLabeled,
            .onDegradation: onDegradation, .maxPSI: maxPsi, .onEstimatedDegradation: onEstimatedDegradation,
        ]
        do {
            return try DegradationPolicy(environment: environment, flags: flags.compactMapValues { $0 })
        } catch {
            throw JobFailure(error)
        }
    }
}
