import Foundation
import Solana

/// One job's row in the journal.
public struct JobRecord: Sendable, Hashable {
    /// The job as discovered.
    package var job: PendingJob
    /// Where it stands.
    public var state: JobState
    /// Transient failures so far (drives the backoff).
    public var attempts: Int
    /// Not to be tried again before this instant (after a transient failure).
    public var nextAttemptAt: Date?
    /// The last transient failure, for operators.
    public var lastError: String?
    /// The result document, from `executed` on; nil again once the retention dropped it from a terminal record
    /// (see ``resultDocumentPrunedAt``).
    public var resultDocument: [UInt8]?
    /// When ``Journal/pruneResultDocuments(settledBefore:at:)`` dropped the result document of this terminal
    /// record (its CID, on chain and in ``resultCID``, still names it); nil while the document is kept.
    public var resultDocumentPrunedAt: Date?
    /// The result CID, from `published` on.
    public var resultCID: String?
    /// The journaled complete_job transaction, in `submitted` (and kept once settled).
    public var submission: SubmittedTransaction?
    /// The slot at which the settlement landed, when settled by us.
    public var settledSlot: UInt64?
    /// Why the job ended as it did (failed, lost, cancelled).
    public var outcomeReason: String?
    /// When the row was created.
    public var createdAt: Date
    /// When the row last changed.
    public var updatedAt: Date

    /// A freshly discovered job.
    package init(discovered job: PendingJob, at date: Date) {
        self.job = job
        self.state = .discovered
        self.attempts = 0
        self.createdAt = date
        self.updatedAt = date
    }

    /// The job's address.
    package var address: PublicKey { job.address }
}
