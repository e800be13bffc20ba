import Retry

/// Capped exponential backoff for HTTP 429 and 5xx responses, honouring `Retry-After`.
///
/// Pure value: `delay(afterAttempt:retryAfter:)` decides, the caller sleeps.
public struct RetryPolicy: Sendable, Hashable {
    /// Requests per endpoint, the first included (1 disables retries).
    public var maxAttempts: Int
    /// The wait after the first failed attempt.
    public var initialDelay: Duration
    /// The longest computed backoff.
    public var maxDelay: Duration
    /// The longest `Retry-After` worth waiting for; a server asking for more is given up on (the next
    /// gateway is tried, or the error is reported as transient).
    public var maxRetryAfter: Duration

    /// A policy; the defaults are 3 attempts, 0.5 s doubling up to 8 s, and `Retry-After` up to 30 s.
    public init(
        maxAttempts: Int = 3, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(30)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// True for the statuses worth retrying: 429 and every 5xx.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    /// How long to wait before attempt `attempt + 1`, or nil to stop retrying: the shared ``Backoff`` from
    /// `initialDelay` doubling to `maxDelay` (no jitter), never shorter than the server's `Retry-After`; a
    /// `Retry-After` longer than `maxRetryAfter` is not waited for (nil: the next gateway is tried).
    /// - Parameters:
    ///   - attempt: the number of attempts made so far (1 after the first request).
    ///   - retryAfter: the server's `Retry-After`, already parsed (``RetryAfter/parse(_:now:)``).
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration? {
        guard attempt >= 1, attempt < maxAttempts else { return nil }
        if let retryAfter, retryAfter > maxRetryAfter { return nil }
        return Backoff(initial: initialDelay, maximum: maxDelay)
            .delay(afterAttempt: attempt, random: 0, retryAfter: retryAfter)
    }
}
