import Platform

/// An invalid `--period` value.
///
/// Its ``description`` is the contract's one-line message:
/// `ERROR: Invalid parameter format. Expected 'current_period,total_periods' …`.
public struct PeriodError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value as received on the command line.
    public let received: String
    /// What is wrong with it.
    public let reason: String

    public init(received: String, reason: String) {
        self.received = received
        self.reason = reason
    }

    public var description: String {
        "ERROR: Invalid parameter format. Expected 'current_period,total_periods', "
            + "received '\(oneLine(received))' (\(reason)). Example: --period 0,10"
    }
}
