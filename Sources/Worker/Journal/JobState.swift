/// Where a job stands in this worker's journal.
public enum JobState: String, Sendable, Hashable, CaseIterable {
    /// Seen and accepted; nothing done yet.
    case discovered
    /// Fetching or executing (a crash here means: run again).
    case running
    /// Executed; the result document is recorded (never executed again).
    case executed
    /// Published; the result CID is recorded (never published again).
    case published
    /// complete_job signed and journaled with its signature and lastValidBlockHeight.
    case submitted
    /// complete_job landed.
    case settled
    /// Another worker completed the job first.
    case lostRace = "lost_race"
    /// The owner cancelled the job.
    case cancelled
    /// The job cannot be completed; `outcomeReason` says why.
    case failed

    /// Whether the job is done with, for good.
    package var isTerminal: Bool {
        switch self {
        case .settled, .lostRace, .cancelled, .failed: true
        case .discovered, .running, .executed, .published, .submitted: false
        }
    }
}
