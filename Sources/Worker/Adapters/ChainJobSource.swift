import CloudMesh
import Foundation
import Logging
import Solana

/// The production ``JobSource``: the CloudMesh program's Job accounts, read at `confirmed` commitment.
///
/// Polls through ``IncrementalDiscovery``: one full scan at start-up (addresses listed with `getProgramAccounts`
/// and the Job filters, discriminator memcmp at offset 0 and dataSize 308, then read 100 at a time), then only
/// the accounts written by the program's transactions since the last poll, with a reconciling full scan every
/// `FULL_SCAN_INTERVAL` and on every poll when the node keeps no transaction history. Pushes come from a
/// self-reconnecting `programSubscribe` with the same filters. An account that is not a usable Job of the
/// program (malformed data, wrong owner) is counted in the metrics and logged once per address, never fatal.
package struct ChainJobSource: JobSource {
    let client: SolanaRPCClient
    let programID: PublicKey
    let subscription: SolanaPubSubClient.Configuration?
    let metrics: WorkerMetrics
    let logger: Logger
    private let classifier: JobAccountClassifier
    private let discovery: IncrementalDiscovery

    /// Creates a source. Without `subscription`, ``jobUpdates()`` yields nothing (polling only). `watermarks`
    /// keeps the discovery watermark across restarts (the journal); `fullScanInterval` is the time between
    /// reconciling full scans (`FULL_SCAN_INTERVAL`), `nil` for none after the start-up one.
    package init(
        client: SolanaRPCClient, programID: PublicKey, subscription: SolanaPubSubClient.Configuration?,
        metrics: WorkerMetrics, logger: Logger, watermarks: (any DiscoveryWatermarkStore)? = nil,
        fullScanInterval: Duration? = .seconds(3600)
    ) {
        self.client = client
        self.programID = programID
        self.subscription = subscription
        self.metrics = metrics
        self.logger = logger
        let classifier = JobAccountClassifier(programID: programID, metrics: metrics, logger: logger)
        self.classifier = classifier
        self.discovery = IncrementalDiscovery(
            client: client, programID: programID, classifier: classifier, store: watermarks,
            settings: .init(fullScanInterval: fullScanInterval), logger: logger)
    }

    /// Every Pending job of the program now: the candidate set that incremental discovery keeps.
    package func pendingJobs() async throws -> [PendingJob] {
        try await discovery.pendingJobs()
    }

    /// The watermark the next poll reads after (`nil` before the first poll, or without transaction history).
    package func discoveryWatermark() async -> DiscoveryWatermark? {
        await discovery.currentWatermark
    }

    /// Whether the node was found to keep no transaction history, so that every poll is a full scan.
    package func fallsBackToFullScans() async -> Bool {
        await discovery.fallsBackToFullScans
    }

    /// Pushes from `programSubscribe`; ``JobUpdate/resubscribed`` after every (re)subscription.
    package func jobUpdates() -> AsyncStream<JobUpdate> {
        guard let subscription else {
            logger.info(
                "program subscription disabled (SUBSCRIBE=false): discovering jobs by polling only")
            return AsyncStream { $0.finish() }
        }
        let events = SolanaPubSubClient.reconnectingProgramSubscription(
            configuration: subscription, program: programID, filters: Job.accountFilters,
            commitment: .confirmed,
            logger: logger)
        let logger = logger
        let source = self
        let discovery = discovery
        return AsyncStream { continuation in
            let task = Task {
                for await event in events {
                    switch event {
                    case .subscribed:
                        logger.info(
                            "subscribed to the program's Job accounts", metadata: ["url": "\(subscription.url)"])
                        continuation.yield(.resubscribed)
                    case .notification(let notification):
                        if let update = source.update(for: notification) {
                            await discovery.note(update)
                            continuation.yield(update)
                        }
                    case .disconnected(let error, let retryIn):
                        logger.warning(
                            "program subscription lost; polling meanwhile",
                            metadata: ["error": "\(error)", "retry_in": "\(retryIn)"])
                    }
                }
                if !Task.isCancelled {
                    logger.warning("program subscription ended; discovering jobs by polling only")
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The job's state at `confirmed`.
    package func jobState(of address: PublicKey) async throws -> OnChainJobState {
        state(of: address, try await client.getAccountInfo(address, commitment: .confirmed))
    }

    package func jobStates(of addresses: [PublicKey]) async throws -> [PublicKey: OnChainJobState] {
        var states: [PublicKey: OnChainJobState] = [:]
        for start in stride(from: 0, to: addresses.count, by: Self.accountsPerRead) {
            let page = Array(addresses[start..<min(start + Self.accountsPerRead, addresses.count)])
            let accounts = try await client.getMultipleAccounts(page, commitment: .confirmed)
            for (address, account) in zip(page, accounts) { states[address] = state(of: address, account) }
        }
        return states
    }

    /// Accounts per `getMultipleAccounts` (the RPC's maximum).
    static let accountsPerRead = 100

    /// What an account read at `address` says of the job.
    private func state(of address: PublicKey, _ account: AccountInfo?) -> OnChainJobState {
        guard let account, case .job(let job) = classifier.classify(address, account) else { return .missing }
        switch job.status {
        case .pending: return .pending
        case .completed: return .completed(resultCID: job.resultCID)
        case .cancelled: return .cancelled
        }
    }

    // MARK: - Decoding

    /// What a subscription notification means for the scheduler.
    private func update(for notification: ProgramNotification) -> JobUpdate? {
        switch classifier.classify(notification.pubkey, notification.account) {
        case .job(let job) where job.status == .pending:
            return .pending(
                JobAccountClassifier.pendingJob(job, address: notification.pubkey, slot: notification.slot))
        case .job, .closed:
            return .notPending(notification.pubkey)
        case .unusable:
            return nil
        }
    }
}
