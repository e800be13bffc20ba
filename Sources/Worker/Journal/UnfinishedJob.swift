import Foundation
import Solana

/// What a start-up needs to resume a job from the journal: the job, where it stands and when it may be tried
/// again; without its result document or transaction (the pipeline reads the full ``JobRecord`` when it takes
/// the job up), so a page of these stays small however large the documents are.
package struct UnfinishedJob: Sendable, Hashable {
    /// The job as discovered.
    package var job: PendingJob
    /// Where it stands (never a terminal state).
    package var state: JobState
    /// Transient failures so far.
    package var attempts: Int
    /// Not to be tried again before this instant (after a transient failure).
    package var nextAttemptAt: Date?

    /// Creates the summary.
    package init(job: PendingJob, state: JobState, attempts: Int, nextAttemptAt: Date?) {
        self.job = job
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }

    /// The job's address (the paging key of ``Journal/unfinishedJobs(after:limit:)``).
    package var address: PublicKey { job.address }
}
