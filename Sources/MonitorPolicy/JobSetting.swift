/// A job-level setting's value as given: the job's flag, else the variable of
/// its environment (an empty variable counts as unset). Neither gives `nil`:
/// the setting's default applies.
public struct JobSetting: Sendable, Equatable {
    /// The value as given.
    public let text: String
    /// Where it came from, as the user wrote it: `--max-drop` or `MONITOR_MAX_DROP`.
    public let source: String

    /// - Parameters:
    ///   - flag: the flag's name, e.g. `--max-drop`.
    ///   - value: the flag's value, `nil` when it was not given.
    ///   - variable: the job-level variable, e.g. `MONITOR_MAX_DROP`.
    public init?(flag: String, _ value: String?, variable: String, environment: [String: String]) {
        if let value {
            (text, source) = (value, flag)
        } else if let text = environment[variable], !text.isEmpty {
            (self.text, source) = (text, variable)
        } else {
            return nil
        }
    }
}
