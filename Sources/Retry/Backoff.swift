/// Capped exponential backoff with jitter, in `Duration`s: the one backoff of every retry layer (RPC calls,
/// gateway and publishing requests, job retries, reconnects, polls).
///
/// The wait after the n-th consecutive failure is `min(maximum, initial × multiplier^(n−1))`, then shortened
/// by up to `jitter` of itself at random, so that clients failing together do not retry together. It never
/// exceeds `maximum`, whatever `n` (no overflow: the exponent stops growing once the cap is reached).
/// A pure value: the caller supplies the random number and sleeps.
public struct Backoff: Sendable, Hashable {
    /// The wait after the first failure (before jitter).
    public var initial: Duration
    /// The longest wait.
    public var maximum: Duration
    /// The factor each further failure multiplies the wait by (at least 1).
    public var multiplier: Double
    /// The fraction (0…1) by which a wait may be shortened at random; 0 for exact waits.
    public var jitter: Double

    /// Creates a backoff; negative durations count as zero, `multiplier` is at least 1 and `jitter` is
    /// clamped to 0…1.
    public init(initial: Duration, maximum: Duration, multiplier: Double = 2, jitter: Double = 0) {
        self.initial = max(.zero, initial)
        self.maximum = max(.zero, maximum)
        self.multiplier = max(1, multiplier.isFinite ? multiplier : 1)
        self.jitter = min(1, max(0, jitter.isFinite ? jitter : 0))
    }

    /// The wait after the `attempt`-th consecutive failure (1-based; less than 1 counts as 1), given a
    /// `random` number in 0..<1 (clamped) that decides the jitter.
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration {
        let cap = maximum.inSeconds
        var seconds = min(initial.inSeconds, cap)
        var step = 1
        while step < attempt, seconds < cap {
            seconds = min(seconds * multiplier, cap)
            step += 1
        }
        let shortened = seconds * (1 - jitter * min(1, max(0, random.isFinite ? random : 0)))
        return .seconds(shortened)
    }

    /// ``delay(afterAttempt:random:)`` with a fresh random number.
    public func delay(afterAttempt attempt: Int) -> Duration {
        delay(afterAttempt: attempt, random: Double.random(in: 0..<1))
    }

    /// The wait before retrying after a server asked for `retryAfter` (its `Retry-After`): the backoff's
    /// wait, but never shorter than the server's. Whether a long `Retry-After` is worth waiting for at all is
    /// the caller's policy (see ``RetryAfter``).
    public func delay(afterAttempt attempt: Int, random: Double, retryAfter: Duration?) -> Duration {
        let wait = delay(afterAttempt: attempt, random: random)
        guard let retryAfter else { return wait }
        return max(wait, retryAfter)
    }
}
