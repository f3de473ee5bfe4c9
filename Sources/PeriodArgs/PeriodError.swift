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
            + "received '\(received.debugEscaped)' (\(reason)). Example: --period 0,10"
    }
}

extension String {
    /// The string with control characters escaped, safe to print on one line.
    var debugEscaped: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
