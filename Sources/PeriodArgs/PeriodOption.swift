import ArgumentParser

/// The `--period "C,T"` option shared by the three jobs.
///
/// The values are collected as given, so a repeated option is seen: the same
/// value twice is accepted, different values are rejected. The word after
/// `--period` is its value even when it starts with `-` (`--period -1,2`), so
/// that ``resolve()`` reports it as the contract says.
public struct PeriodOption: ParsableArguments, Sendable {
    @Option(
        name: .long,
        parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "The period to process and the total number of periods, as 'current_period,total_periods'; "
                + "'next' (get-predictions only): the first period the store has not completed, of the data set's num_periods.",
            valueName: "C,T"
        )
    )
    public var period: [String] = []

    public init() {}

    /// The parsed period, or `nil` when `--period` was not given.
    ///
    /// - Throws: ``PeriodError`` for an invalid or conflicting value, and for
    ///   `next` (see ``resolveRequest()``).
    public func resolve() throws(PeriodError) -> Period? {
        switch try resolveRequest() {
        case nil: return nil
        case .period(let period): return period
        case .next:
            throw PeriodError(received: PeriodRequest.nextKeyword, reason: "'next' is accepted by get-predictions and cml-local run only")
        }
    }

    /// The parsed request, `C,T` or `next`, or `nil` when `--period` was not given.
    ///
    /// - Throws: ``PeriodError`` for an invalid or conflicting value.
    public func resolveRequest() throws(PeriodError) -> PeriodRequest? {
        guard let first = period.first else { return nil }
        let parsed = try PeriodRequest(parsing: first)
        for other in period.dropFirst() {
            let again = try PeriodRequest(parsing: other)
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
