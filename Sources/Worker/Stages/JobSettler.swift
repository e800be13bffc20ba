import Solana

/// A signed complete_job transaction, journaled before it leaves the process.
public struct SubmittedTransaction: Sendable, Hashable {
    /// The transaction's first signature (its id).
    public var signature: Signature
    /// The last block height at which the transaction's blockhash is valid; after it, it can never land.
    public var lastValidBlockHeight: UInt64
    /// The signed transaction, exactly as sent (rebroadcast as is).
    public var wireBytes: [UInt8]

    /// Creates the record.
    public init(signature: Signature, lastValidBlockHeight: UInt64, wireBytes: [UInt8]) {
        self.signature = signature
        self.lastValidBlockHeight = lastValidBlockHeight
        self.wireBytes = wireBytes
    }
}

/// How a complete_job ended.
public enum SettlementOutcome: Sendable, Hashable {
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
}

/// Sends complete_job and follows it until it lands or can no longer land.
public protocol JobSettler: Sendable {
    /// Signs complete_job(`resultCID`, `cost`) for `job`, calls `journal` with the signed transaction and only
    /// after it returns sends it; then confirms. When `journal` throws, nothing is sent and the error is
    /// rethrown. Transport trouble is thrown (classified); program outcomes are returned.
    func settle(
        job: PendingJob, resultCID: String, cost: UInt64,
        journal: @Sendable (SubmittedTransaction) async throws -> Void
    ) async throws -> SettlementOutcome

    /// Follows a transaction journaled by an earlier run: looks up its status, rebroadcasts the same bytes
    /// while the block height is at most its `lastValidBlockHeight`, and returns ``SettlementOutcome/expired``
    /// only once it can no longer land.
    func resume(submitted: SubmittedTransaction, job: PendingJob) async throws -> SettlementOutcome
}

/// Reads the worker's balance, to warn when low and to resume settlement once funded.
public protocol BalanceMonitor: Sendable {
    /// The worker account's balance in lamports.
    func balance() async throws -> UInt64
}
