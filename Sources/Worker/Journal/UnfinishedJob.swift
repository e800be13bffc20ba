import Foundation
import Solana

/// What a start-up needs to resume a job from the journal: the job, where it stands and when it may be tried
/// again; without its result document or transaction (the pipeline reads the full ``JobRecord`` when it takes
/// the job up), so a page of these stays small however large the documents are.
public struct UnfinishedJob: Sendable, Hashable {
    /// The job as discovered.
    public var job: PendingJob
    /// Where it stands (never a terminal state).
    public var state: JobState
    /// Transient failures so far.
    public var attempts: Int
    /// Not to be tried again before this instant (after a transient failure).
    public var nextAttemptAt: Date?

    /// Creates the summary.
    public init(job: PendingJob, state: JobState, attempts: Int, nextAttemptAt: Date?) {
        self.job = job
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }

    /// The job's address (the paging key of ``Journal/unfinishedJobs(after:limit:)``).
    public var address: PublicKey { job.address }
}
