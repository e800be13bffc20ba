import CloudMesh
import Foundation
import Logging
import Solana
import Synchronization

/// The production ``JobSource``: the CloudMesh program's Job accounts, read at `confirmed` commitment.
///
/// Polls with `getProgramAccounts` (Job discriminator memcmp at offset 0 and dataSize 308), decodes every
/// account and keeps the Pending ones; pushes come from a self-reconnecting `programSubscribe` with the same
/// filters. An account that is not a usable Job of the program (malformed data, wrong owner) is counted in the
/// metrics and logged once per address, never fatal.
public struct ChainJobSource: JobSource {
    /// The server-side filters selecting Job accounts: discriminator at offset 0, 308 bytes of data.
    public static let filters: [AccountFilter] = [
        .memcmp(offset: 0, bytes: Job.discriminator), .dataSize(UInt64(Job.accountSize)),
    ]

    let client: SolanaRPCClient
    let programID: PublicKey
    let subscription: SolanaPubSubClient.Configuration?
    let metrics: WorkerMetrics
    let logger: Logger
    private let reported: UnusableAccounts

    /// Creates a source. Without `subscription`, ``jobUpdates()`` yields nothing (polling only).
    public init(
        client: SolanaRPCClient, programID: PublicKey, subscription: SolanaPubSubClient.Configuration?,
        metrics: WorkerMetrics, logger: Logger
    ) {
        self.client = client
        self.programID = programID
        self.subscription = subscription
        self.metrics = metrics
        self.logger = logger
        self.reported = UnusableAccounts()
    }

    /// Every Pending job of the program now.
    public func pendingJobs() async throws -> [PendingJob] {
        let result = try await client.getProgramAccountsWithContext(
            programID, filters: Self.filters, commitment: .confirmed)
        return result.value.compactMap { account in
            guard case .job(let job) = classify(account.pubkey, account.account), job.status == .pending
            else {
                return nil
            }
            return Self.pendingJob(job, address: account.pubkey, slot: result.slot)
        }
    }

    /// Pushes from `programSubscribe`; ``JobUpdate/resubscribed`` after every (re)subscription.
    public func jobUpdates() -> AsyncStream<JobUpdate> {
        guard let subscription else {
            logger.info(
                "program subscription disabled (SUBSCRIBE=false): discovering jobs by polling only")
            return AsyncStream { $0.finish() }
        }
        let events = SolanaPubSubClient.reconnectingProgramSubscription(
            configuration: subscription, program: programID, filters: Self.filters,
            commitment: .confirmed,
            logger: logger)
        let logger = logger
        let source = self
        return AsyncStream { continuation in
            let task = Task {
                for await event in events {
                    switch event {
                    case .subscribed:
                        logger.info(
                            "subscribed to the program's Job accounts", metadata: ["url": "\(subscription.url)"])
                        continuation.yield(.resubscribed)
                    case .notification(let notification):
                        if let update = source.update(for: notification) { continuation.yield(update) }
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
    public func jobState(of address: PublicKey) async throws -> OnChainJobState {
        guard let account = try await client.getAccountInfo(address, commitment: .confirmed) else {
            return .missing
        }
        guard case .job(let job) = classify(address, account) else { return .missing }
        switch job.status {
        case .pending: return .pending
        case .completed: return .completed(resultCID: job.resultCID)
        case .cancelled: return .cancelled
        }
    }

    // MARK: - Decoding

    private enum Classified {
        case job(Job)
        case closed
        case unusable
    }

    /// What a subscription notification means for the scheduler.
    private func update(for notification: ProgramNotification) -> JobUpdate? {
        switch classify(notification.pubkey, notification.account) {
        case .job(let job) where job.status == .pending:
            return .pending(Self.pendingJob(job, address: notification.pubkey, slot: notification.slot))
        case .job, .closed:
            return .notPending(notification.pubkey)
        case .unusable:
            return nil
        }
    }

    private func classify(_ address: PublicKey, _ account: AccountInfo) -> Classified {
        if account.lamports == 0 && account.data.isEmpty { return .closed }
        guard account.owner == programID else {
            reportOnce(
                address, reason: "foreign",
                detail: "owned by \(account.owner), not the program \(programID)")
            return .unusable
        }
        do {
            return .job(try Job(accountData: account.data))
        } catch {
            reportOnce(address, reason: "malformed", detail: error.description)
            return .unusable
        }
    }

    private func reportOnce(_ address: PublicKey, reason: String, detail: String) {
        guard reported.insert(address) else { return }
        metrics.unusableAccount(reason: reason)
        logger.warning(
            "skipping an account that is not a usable Job (reported once per address)",
            metadata: ["account": "\(address)", "reason": "\(reason)", "detail": "\(detail)"])
    }

    private static func pendingJob(_ job: Job, address: PublicKey, slot: UInt64) -> PendingJob {
        PendingJob(
            address: address, owner: job.owner, title: job.title, codeCID: job.codeCID,
            startTime: job.startTime,
            slot: slot)
    }
}

/// The addresses already reported as unusable.
private final class UnusableAccounts: Sendable {
    private let addresses = Mutex<Set<PublicKey>>([])

    /// Adds `address`; true when it was not there before.
    func insert(_ address: PublicKey) -> Bool {
        addresses.withLock { $0.insert(address).inserted }
    }
}
