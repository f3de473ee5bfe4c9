/// The log lines of the period contract, spelled once.
public enum PeriodMessages {
    /// `get-predictions` started without `--period`.
    public static let noParameter = "No parameter provided: defaulting to period 0"

    /// Printed by every job once `C,T` is known.
    public static func parameterProvided(_ period: Period) -> String {
        "Parameter provided: period \(period.current) of \(period.total)"
    }

    /// Printed by `get-predictions --period next` once it has resolved the period
    /// (`completed` periods `0 ..< period.current` are done in the store).
    public static func parameterProvided(next period: Period) -> String {
        let after =
            period.current == 0
            ? "the store has no completed period" : "next after the store's last completed period \(period.current - 1)"
        return "\(parameterProvided(period)) (\(after))"
    }

    /// The exit condition, `C == T`.
    public static func allCompleted(_ period: Period) -> String {
        "All periods completed! (Period \(period.current) = Total \(period.total))"
    }

    /// A job that requires `--period` was started without it.
    public static func missing(job: String) -> String {
        "ERROR: Missing --period: \(job) must be started with --period 'current_period,total_periods'"
            + " (for example --period 0,10); only get-predictions may start without it"
    }
}
