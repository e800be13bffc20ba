import CloudMesh
import Logging
import Solana
import Synchronization

/// Decodes the program's accounts into Jobs; an account that is not a usable Job of the program (malformed
/// data, wrong owner) is counted in the metrics and logged once per address, never fatal.
struct JobAccountClassifier: Sendable {
    /// What an account is.
    enum Classified {
        case job(Job)
        case closed
        case unusable
    }

    let programID: PublicKey
    let metrics: WorkerMetrics
    let logger: Logger
    private let reported = UnusableAccounts()

    init(programID: PublicKey, metrics: WorkerMetrics, logger: Logger) {
        self.programID = programID
        self.metrics = metrics
        self.logger = logger
    }

    /// The account at `address`, decoded.
    func classify(_ address: PublicKey, _ account: AccountInfo) -> Classified {
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

    /// What an account read by discovery at `slot` means for the candidate set. Only accounts that pass the
    /// server-side Job filters (owned by the program, 308 bytes, the Job discriminator) are decoded, so the other
    /// accounts a transaction wrote (fee payers, workers) are passed over silently.
    func verdict(_ address: PublicKey, _ account: AccountInfo?, slot: UInt64) -> JobAccountVerdict {
        guard let account, account.owner == programID, account.data.count == Job.accountSize,
            account.data.starts(with: Job.discriminator),
            case .job(let job) = classify(address, account), job.status == .pending
        else { return .notPending }
        return .pending(Self.pendingJob(job, address: address, slot: slot))
    }

    /// The scheduler's view of a Pending job seen at `slot`.
    static func pendingJob(_ job: Job, address: PublicKey, slot: UInt64) -> PendingJob {
        PendingJob(
            address: address, owner: job.owner, title: job.title, codeCID: job.codeCID,
            startTime: job.startTime,
            slot: slot)
    }

    private func reportOnce(_ address: PublicKey, reason: String, detail: String) {
        guard reported.insert(address) else { return }
        metrics.unusableAccount(reason: reason)
        logger.warning(
            "skipping an account that is not a usable Job (reported once per address)",
            metadata: ["account": "\(address)", "reason": "\(reason)", "detail": "\(detail)"])
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
