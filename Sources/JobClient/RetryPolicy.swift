/// How often and how patiently the job client retries.
///
/// Connection errors, timeouts, 429 and 5xx answers are retried with
/// exponential backoff (``initialDelay`` doubling up to ``maxDelay``) until
/// ``maxAttempts`` requests have been made; other 4xx answers fail at once.
public struct RetryPolicy: Sendable {
    /// Requests made in total, at least 1.
    public var maxAttempts: Int
    /// Wait before the second attempt.
    public var initialDelay: Duration
    /// Cap of the doubling wait.
    public var maxDelay: Duration
    /// Time allowed for one request, from sending to the full answer.
    public var requestTimeout: Duration

    public init(maxAttempts: Int, initialDelay: Duration, maxDelay: Duration, requestTimeout: Duration) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.requestTimeout = requestTimeout
    }

    /// 5 attempts, 0.2 s doubling to 2 s, 10 s per request.
    public static let `default` = RetryPolicy(
        maxAttempts: 5, initialDelay: .milliseconds(200), maxDelay: .seconds(2), requestTimeout: .seconds(10)
    )

    /// The wait after failed attempt number `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        var step = 1
        while step < attempt, delay < maxDelay {
            delay *= 2
            step += 1
        }
        return min(delay, maxDelay)
    }
}
