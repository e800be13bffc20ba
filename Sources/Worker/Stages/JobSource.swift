import Solana

/// Where jobs come from: the chain, read at `confirmed` commitment.
///
/// The production adapter scans once at start-up (`getProgramAccounts` listing addresses with the Job
/// discriminator memcmp + dataSize 308, then `getMultipleAccounts` in pages, decoded and filtered to Pending
/// client-side); after that each poll reads only the program's new transactions (`getSignaturesForAddress`,
/// `getTransaction`) and the accounts they wrote, with a full scan every `FULL_SCAN_INTERVAL`. It also wraps
/// `programSubscribe` with the same filters, `getAccountInfo` and `getMultipleAccounts`.
package protocol JobSource: Sendable {
    /// Every Pending job of the program now (the poll). Malformed accounts are skipped, not thrown.
    func pendingJobs() async throws -> [PendingJob]

    /// Pushes from a subscription. The stream lives as long as the worker; when the subscription drops, the
    /// adapter reconnects with backoff and yields ``JobUpdate/resubscribed`` after each reconnect.
    /// Sources without subscriptions return a stream that never yields.
    func jobUpdates() -> AsyncStream<JobUpdate>

    /// The job's current state, read again before running it.
    func jobState(of address: PublicKey) async throws -> OnChainJobState

    /// The current states of several jobs, read together (`getMultipleAccounts`, 100 at a time) just before
    /// a settlement batch is signed; every address gets a state.
    func jobStates(of addresses: [PublicKey]) async throws -> [PublicKey: OnChainJobState]
}
