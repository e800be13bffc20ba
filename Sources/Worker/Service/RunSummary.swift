/// What one `run` did.
public struct RunSummary: Sendable, Hashable {
    /// Jobs that reached each terminal state during the run.
    package var finished: [JobState: Int] = [:]
    /// Transient failures that were scheduled for retry.
    package var retries = 0
    /// Jobs left waiting for funds when a `once` run ended.
    package var awaitingFunds = 0
    /// Whether the run ended because of a shutdown request.
    package var shutDown = false

    /// Creates an empty summary.
    package init() {}

    /// Jobs settled by this worker.
    package var settled: Int { finished[.settled, default: 0] }
}
