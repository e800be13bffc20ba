import Solana

/// What one account read by discovery means for the candidate set of pending jobs.
enum JobAccountVerdict: Sendable {
    /// A Pending Job: a candidate.
    case pending(PendingJob)
    /// Anything else (a Job no longer Pending, a closed or missing account, an account that is not a usable Job
    /// of the program): not a candidate.
    case notPending
}
