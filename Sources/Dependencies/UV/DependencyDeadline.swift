/// The time one dependency preparation (resolving and installing) may take (`DEPENDENCY_TIMEOUT`), and the
/// instant it runs out; every uv run of the preparation stops there.
public struct DependencyDeadline: Sendable, Equatable {
    /// The whole budget.
    public var timeout: Duration
    /// When it runs out.
    public var instant: ContinuousClock.Instant

    /// A deadline `timeout` after `start`.
    public init(timeout: Duration, from start: ContinuousClock.Instant = .now) {
        self.timeout = timeout
        self.instant = start + timeout
    }
}
