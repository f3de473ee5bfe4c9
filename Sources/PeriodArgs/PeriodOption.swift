import ArgumentParser

/// The `--period "C,T"` option shared by the three jobs.
///
/// The values are collected as given, so a repeated option is seen: the same
/// value twice is accepted, different values are rejected.
public struct PeriodOption: ParsableArguments, Sendable {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The period to process and the total number of periods, as 'current_period,total_periods'.",
            valueName: "C,T"
        )
    )
    public var period: [String] = []

    public init() {}

    /// The parsed period, or `nil` when `--period` was not given.
    ///
    /// - Throws: ``PeriodError`` for an invalid or conflicting value.
    public func resolve() throws(PeriodError) -> Period? {
        guard let first = period.first else { return nil }
        let parsed = try Period(parsing: first)
        for other in period.dropFirst() {
            let again = try Period(parsing: other)
            guard again == parsed else {
                throw PeriodError(
                    received: period.joined(separator: "' and '"),
                    reason: "--period given more than once with different values"
                )
            }
        }
        return parsed
    }
}
