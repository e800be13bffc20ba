import Foundation

/// Capped exponential backoff for transient failures, honouring a server's `Retry-After`.
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts, the first included (1 means no retry).
    public var maxAttempts: Int
    /// The wait after the first failure.
    public var initialDelay: Duration
    /// The longest wait computed by backoff.
    public var maxDelay: Duration
    /// The factor each further failure multiplies the wait by.
    public var multiplier: Double
    /// The fraction of each wait that is randomised (0 for none, 0.2 for ±20%), so that many clients
    /// do not retry in lockstep.
    public var jitter: Double
    /// The longest `Retry-After` honoured; longer requests are cut to this.
    public var maxRetryAfter: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 5,
        initialDelay: Duration = .milliseconds(250),
        maxDelay: Duration = .seconds(10),
        multiplier: Double = 2,
        jitter: Double = 0.2,
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = max(1, multiplier)
        self.jitter = min(max(0, jitter), 1)
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait after failed attempt number `attempt` (1-based): `initialDelay × multiplier^(attempt-1)`,
    /// capped at `maxDelay`, jittered, and never shorter than the server's `retryAfter` (itself capped at
    /// `maxRetryAfter`).
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        let exponent = Double(max(0, attempt - 1))
        let base = min(initialDelay.inSeconds * pow(multiplier, exponent), maxDelay.inSeconds)
        let spread = base * jitter
        let jittered = spread > 0 ? base + Double.random(in: -spread...spread) : base
        var wait = Duration.seconds(max(0, jittered))
        if let retryAfter { wait = max(wait, min(retryAfter, maxRetryAfter)) }
        return wait
    }

    /// Runs `operation`, retrying it after a backoff wait while it throws a transient `RetryableError` and
    /// attempts remain. Stops (throwing the last error) when the task is cancelled.
    ///
    /// - Parameter onRetry: Called before each wait with the error, the attempt that failed and the wait.
    public func run<T, E: Error>(
        _ operation: () async throws(E) -> T,
        onRetry: (E, Int, Duration) -> Void = { _, _, _ in }
    ) async throws(E) -> T {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let failure {
                guard attempt < maxAttempts, let retryable = failure as? any RetryableError, retryable.isTransient,
                    !Task.isCancelled
                else { throw failure }
                let wait = delay(afterAttempt: attempt, retryAfter: retryable.retryAfter)
                onRetry(failure, attempt, wait)
                do {
                    try await Task.sleep(for: wait)
                } catch {
                    throw failure
                }
                attempt += 1
            }
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
