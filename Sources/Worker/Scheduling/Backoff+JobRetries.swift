import Retry

extension Backoff {
    /// Job retries after a transient failure: 2 s doubling to 5 min, shortened by up to 20 % at random.
    package static let jobRetries = Backoff(initial: .seconds(2), maximum: .seconds(300), jitter: 0.2)
}
