import Solana

/// A Pending `Job` account as the worker sees it: what is needed to run and settle it.
package struct PendingJob: Sendable, Hashable {
    /// The job account's address (the PDA of `["job", owner, title]`).
    package var address: PublicKey
    /// The wallet that created the job.
    package var owner: PublicKey
    /// The job's title (at most 32 bytes on-chain).
    package var title: String
    /// The IPFS CID of the Python source.
    package var codeCID: String
    /// Unix seconds, set when the job was created; older jobs run first.
    package var startTime: Int64
    /// The slot at which the worker saw the account (0 when unknown).
    package var slot: UInt64

    /// Creates a job description.
    package init(address: PublicKey, owner: PublicKey, title: String, codeCID: String, startTime: Int64, slot: UInt64) {
        self.address = address
        self.owner = owner
        self.title = title
        self.codeCID = codeCID
        self.startTime = startTime
        self.slot = slot
    }
}

/// What a subscription reports between polls.
package enum JobUpdate: Sendable, Hashable {
    /// A Pending job was created or seen.
    case pending(PendingJob)
    /// A job is no longer Pending (completed, cancelled or closed).
    case notPending(PublicKey)
    /// The subscription was (re)established; updates may have been missed, so poll now.
    case resubscribed
}

/// A job account's state, read again just before work that costs money or time.
package enum OnChainJobState: Sendable, Hashable {
    /// Still waiting for a worker.
    case pending
    /// Completed with this result CID (by us or someone else).
    case completed(resultCID: String)
    /// Cancelled by its owner.
    case cancelled
    /// The account does not exist (or is not a Job of this program).
    case missing
}
