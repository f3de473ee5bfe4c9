/// `MONITOR_API_TIMEOUT`: the seconds one CML API request of a job may take
/// (the job client's default when unset).
public enum APITimeout {
    public static let variable = "MONITOR_API_TIMEOUT"

    /// The timeout `environment` sets, rounded up to the millisecond; `nil`
    /// when the variable is unset or empty.
    ///
    /// - Throws: ``SettingError`` unless it is a number of seconds in (0, 3600].
    public static func parse(environment: [String: String]) throws(SettingError) -> Duration? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard let seconds = Double(text.trimmingSpaces), seconds.isFinite, seconds > 0, seconds <= 3600 else {
            throw SettingError(source: variable, value: text, expected: "a number of seconds in (0, 3600]")
        }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }
}
