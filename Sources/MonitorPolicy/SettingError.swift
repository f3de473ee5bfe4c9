/// A job-level setting — a flag of a job or a `MONITOR_*` variable of its
/// environment — whose value the jobs refuse.
public struct SettingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the value came from, as the user wrote it: `--max-drop` or `MONITOR_MAX_DROP`.
    public let source: String
    /// The value as given.
    public let value: String
    /// What the setting takes, e.g. `a number in [0, 1]`.
    public let expected: String

    public init(source: String, value: String, expected: String) {
        self.source = source
        self.value = value
        self.expected = expected
    }

    /// `Invalid MONITOR_MAX_DROP 'abc': expected a number in [0, 1]`: the line the jobs print after `ERROR: `.
    public var description: String { "Invalid \(source) '\(value)': expected \(expected)" }
}

extension String {
    /// Without leading and trailing spaces and tabs.
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
