import ArgumentParser
import MonitorPolicy

/// `check-model`'s degradation thresholds: flags, else the job-level
/// environment (`MONITOR_*`), else the defaults of SPEC §11.
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

    public init() {}

    /// The policy from flags, then `environment`, then defaults.
    func resolve(environment: [String: String]) throws(JobFailure) -> DegradationPolicy {
        func value(_ flag: String?, _ name: String, _ variable: String) -> (String, String)? {
            if let flag { return (flag, "--\(name)") }
            if let env = environment[variable], !env.isEmpty { return (env, variable) }
            return nil
        }
        func fraction(_ flag: String?, _ name: String, _ variable: String, open: Bool = false) throws(JobFailure) -> Double? {
            guard let (text, source) = value(flag, name, variable) else { return nil }
            let trimmed = text.trimmingSpaces
            guard let number = Double(trimmed), number.isFinite,
                open ? (number > 0 && number < 1) : (number >= 0 && number <= 1)
            else {
                throw JobFailure("Invalid \(source) '\(text)': expected a number in \(open ? "(0, 1)" : "[0, 1]")")
            }
            return number
        }

        var policy = DegradationPolicy()
        policy.minAccuracy = try fraction(minAccuracy, "min-accuracy", "MONITOR_MIN_ACCURACY")
        if let drop = try fraction(maxDrop, "max-drop", "MONITOR_MAX_DROP") { policy.maxDrop = drop }
        if let level = try fraction(significance, "significance", "MONITOR_SIGNIFICANCE", open: true) {
            policy.significance = level
        }
        if let (text, source) = value(minLabeled, "min-labeled", "MONITOR_MIN_LABELED") {
            guard let count = Int(text.trimmingSpaces), count >= 0 else {
                throw JobFailure("Invalid \(source) '\(text)': expected a whole number >= 0")
            }
            policy.minLabeled = count
        }
        if let (text, source) = value(onDegradation, "on-degradation", "MONITOR_ON_DEGRADATION") {
            guard let action = DegradationAction(rawValue: text.trimmingSpaces.lowercased()) else {
                throw JobFailure("Invalid \(source) '\(text)': expected 'stop' or 'continue'")
            }
            policy.action = action
        }
        return policy
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars.drop(while: { $0 == " " || $0 == "\t" })
        var end = scalars.endIndex
        while end > scalars.startIndex {
            let before = scalars.index(before: end)
            guard scalars[before] == " " || scalars[before] == "\t" else { break }
            end = before
        }
        return String(String.UnicodeScalarView(scalars[..<end]))
    }
}
