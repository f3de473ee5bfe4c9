/// A failure to reach or use the CML API. Its description never holds the API key.
public struct JobClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A platform variable is set but unusable (bad URL, missing key or project).
        case configuration
        /// No job, or more than one job, has exactly the wanted name.
        case jobNotFound
        /// The server answered with an error status.
        case http(status: Int)
        /// The server could not be reached (refused, reset, DNS…), after retries.
        case transport
        /// The server did not answer within the request timeout, after retries.
        case timeout
        /// The server's answer could not be decoded.
        case invalidResponse
    }

    public let kind: Kind
    public let message: String
    /// `false` when the request certainly had no effect: it never reached
    /// the server (the host did not resolve, the connection was refused or
    /// never made) or the server turned it away (4xx, 429); `true` whenever
    /// it may have been carried out, even if no answer came back (a cut
    /// connection, a timeout, a 5xx, an unreadable answer).
    public let mayHaveTakenEffect: Bool

    public init(_ kind: Kind, _ message: String, mayHaveTakenEffect: Bool = true) {
        self.kind = kind
        self.message = message
        self.mayHaveTakenEffect = mayHaveTakenEffect
    }

    /// The same failure, marked as one that may or may not have taken effect.
    func with(mayHaveTakenEffect effect: Bool) -> JobClientError {
        JobClientError(kind, message, mayHaveTakenEffect: effect)
    }

    /// The same failure with another message.
    func with(message: String) -> JobClientError {
        JobClientError(kind, message, mayHaveTakenEffect: mayHaveTakenEffect)
    }

    public var description: String { message }

    /// Whether trying again may succeed: no connection, no answer in time, 429 or 5xx.
    public var isTransient: Bool {
        switch kind {
        case .transport, .timeout: true
        case .http(let status): status == 429 || status >= 500
        case .configuration, .jobNotFound, .invalidResponse: false
        }
    }
}
