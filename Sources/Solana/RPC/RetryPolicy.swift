import Foundation
import Retry

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
    /// The fraction by which each wait may be shortened at random (0 for none, 0.2 for up to 20 %), so that
    /// many clients do not retry in lockstep.
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

    /// The shared ``Backoff`` this policy waits by.
    public var backoff: Backoff {
        Backoff(initial: initialDelay, maximum: maxDelay, multiplier: multiplier, jitter: jitter)
    }

    /// The wait after failed attempt number `attempt` (1-based): the shared ``Backoff`` (`initialDelay ×
    /// multiplier^(attempt-1)`, capped at `maxDelay`, shortened by up to `jitter` at random), and never shorter
    /// than the server's `retryAfter`; a `Retry-After` longer than `maxRetryAfter` is cut to it (the call is
    /// retried after `maxRetryAfter`).
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        backoff.delay(
            afterAttempt: attempt, random: Double.random(in: 0..<1),
            retryAfter: retryAfter.map { min($0, maxRetryAfter) })
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
