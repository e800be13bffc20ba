/// What one `run` did.
public struct RunSummary: Sendable, Hashable {
    /// Jobs that reached each terminal state during the run.
    public var finished: [JobState: Int] = [:]
    /// Transient failures that were scheduled for retry.
    public var retries = 0
    /// Jobs left waiting for funds when a `once` run ended.
    public var awaitingFunds = 0
    /// Whether the run ended because of a shutdown request.
    public var shutDown = false

    /// Creates an empty summary.
    public init() {}

    /// Jobs settled by this worker.
    public var settled: Int { finished[.settled, default: 0] }
}
