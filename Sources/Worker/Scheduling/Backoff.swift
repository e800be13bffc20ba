/// Capped exponential backoff with jitter: the n-th consecutive transient failure waits
/// `min(cap, base · 2^(n-1))`, shortened by up to `jitter` of itself at random so that jobs failing together
/// do not retry together.
public struct Backoff: Sendable, Hashable {
    /// The first delay, in seconds.
    public var base: Double
    /// The longest delay, in seconds.
    public var cap: Double
    /// The fraction (0…1) of the delay that is randomised.
    public var jitter: Double

    /// Creates a policy.
    public init(base: Double, cap: Double, jitter: Double) {
        self.base = base
        self.cap = cap
        self.jitter = min(1, max(0, jitter))
    }

    /// The default for job retries: 2 s doubling to 5 min, 20 % jitter.
    public static let jobRetries = Backoff(base: 2, cap: 300, jitter: 0.2)

    /// The delay after the `attempt`-th consecutive failure (1-based), given a `random` number in 0..<1.
    public func delay(afterAttempt attempt: Int, random: Double) -> Double {
        let exponent = Double(max(0, min(attempt - 1, 62)))
        let raw = min(cap, base * Double.pow2(exponent))
        return raw * (1 - jitter * min(1, max(0, random)))
    }
}

extension Double {
    /// 2 raised to `exponent`.
    fileprivate static func pow2(_ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 {
            result *= 2
            remaining -= 1
        }
        return result
    }
}
