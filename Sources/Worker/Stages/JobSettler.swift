import Solana

/// A signed complete_job transaction, journaled before it leaves the process.
public struct SubmittedTransaction: Sendable, Hashable {
    /// The transaction's first signature (its id).
    public var signature: Signature
    /// The last block height at which the transaction's blockhash is valid; after it, it can never land.
    package var lastValidBlockHeight: UInt64
    /// The signed transaction, exactly as sent (rebroadcast as is).
    package var wireBytes: [UInt8]

    /// Creates the record.
    package init(signature: Signature, lastValidBlockHeight: UInt64, wireBytes: [UInt8]) {
        self.signature = signature
        self.lastValidBlockHeight = lastValidBlockHeight
        self.wireBytes = wireBytes
    }
}

/// One job to settle: its own complete_job instruction, with its own result CID.
package struct SettlementRequest: Sendable, Hashable {
    /// The job.
    package var job: PendingJob
    /// The CID of the job's published result document.
    package var resultCID: String
    /// The lamports charged.
    package var cost: UInt64

    /// Creates the request.
    package init(job: PendingJob, resultCID: String, cost: UInt64) {
        self.job = job
        self.resultCID = resultCID
        self.cost = cost
    }
}

/// How a job's complete_job ended.
package enum SettlementOutcome: Sendable, Hashable {
    /// Landed and confirmed at the configured commitment.
    case settled(signature: Signature, slot: UInt64)
    /// Another worker completed the job first (program error 6003, or the job reads Completed).
    case lostRace
    /// The owner cancelled the job (program error 6004).
    case cancelled
    /// The result CID does not fit in the account (Anchor error 3004).
    case resultDoesNotFit
    /// The worker cannot pay the fee.
    case insufficientFunds
    /// The blockhash expired without the transaction landing: sign again with the same result CID.
    case expired
    /// The transaction failed because of another job's instruction in the same batch (completed or cancelled
    /// by someone else); a failed transaction changes nothing, so sign again with the same result CID.
    case notLanded(reason: String)
    /// This job's own instruction failed with a program error that no retry can change: the job fails.
    case refused(reason: String)
    /// This job's own instruction failed in a way that may pass later (not a program error): sign again
    /// after a backoff.
    case retryLater(reason: String)
    /// Read just before its batch was signed, the job was no longer Pending (or could not be read): it was left
    /// out of the transaction.
    case notPending(OnChainJobState)
}

/// Sends complete_job, one instruction per job and several jobs per transaction, and follows the transaction
/// until it lands or can no longer land.
package protocol JobSettler: Sendable {
    /// How many of the leading `requests` fit in one transaction (at least 1 when `requests` is not empty).
    func batchCapacity(for requests: [SettlementRequest]) -> Int

    /// Signs one transaction with a complete_job instruction per request (`batch` must fit, see
    /// ``batchCapacity(for:)``), calls `journal` with it and only after it returns sends it; then confirms.
    /// When `journal` throws, nothing is sent and the error is rethrown. Transport trouble is thrown
    /// (classified); program outcomes are returned, one per request in order: a transaction is atomic, so
    /// when one job's instruction fails the others get ``SettlementOutcome/notLanded(reason:)``.
    func settle(
        _ batch: [SettlementRequest], journal: @Sendable (SubmittedTransaction) async throws -> Void
    ) async throws -> [SettlementOutcome]

    /// Follows a transaction journaled by an earlier run: looks up its status, rebroadcasts the same bytes
    /// while the block height is at most its `lastValidBlockHeight`, and returns ``SettlementOutcome/expired``
    /// only once it can no longer land. The transaction may cover other jobs too; the outcome is `job`'s.
    func resume(submitted: SubmittedTransaction, job: PendingJob) async throws -> SettlementOutcome
}

/// Reads the worker's balance, to warn when low and to resume settlement once funded.
package protocol BalanceMonitor: Sendable {
    /// The worker account's balance in lamports.
    func balance() async throws -> UInt64
}
