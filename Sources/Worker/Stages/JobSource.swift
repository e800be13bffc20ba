import Solana

/// Where jobs come from: the chain, read at `confirmed` commitment.
///
/// The production adapter wraps `getProgramAccounts` (Job discriminator memcmp + dataSize 308, decoded and
/// filtered to Pending client-side), `programSubscribe` with the same filters, and `getAccountInfo`.
public protocol JobSource: Sendable {
    /// Every Pending job of the program now (the poll). Malformed accounts are skipped, not thrown.
    func pendingJobs() async throws -> [PendingJob]

    /// Pushes from a subscription. The stream lives as long as the worker; when the subscription drops, the
    /// adapter reconnects with backoff and yields ``JobUpdate/resubscribed`` after each reconnect.
    /// Sources without subscriptions return a stream that never yields.
    func jobUpdates() -> AsyncStream<JobUpdate>

    /// The job's current state, read again before running it and before settling it.
    func jobState(of address: PublicKey) async throws -> OnChainJobState
}
