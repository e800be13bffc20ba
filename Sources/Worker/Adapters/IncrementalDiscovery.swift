import CloudMesh
import Logging
import Solana

/// Finds the program's Pending jobs at a cost that does not grow with the program's history.
///
/// - The first call runs a **full scan**: the addresses of every Job account (`getProgramAccounts` with the
///   Job filters and an empty `dataSlice`: about 100 bytes of JSON and 32 bytes of memory per account), then
///   the accounts themselves, 100 per `getMultipleAccounts`, a few reads in flight, keeping the Pending ones.
///   The newest transaction of the program, read just before, becomes the **watermark**.
/// - Every later call reads only what changed: the program's transactions after the watermark
///   (`getSignaturesForAddress(program, until: watermark)` at `confirmed`, paged with `before` while a page
///   holds 1,000), the accounts the successful ones wrote (`getTransaction`, batched), and those accounts,
///   100 per `getMultipleAccounts`. A Pending Job joins the candidate set; anything else leaves it.
/// - The watermark is recorded in the store (the journal) after each call that moved it.
/// - A **gap** (more than ``Settings/maxSignaturePages`` pages of new transactions, a listed transaction the
///   node cannot return, a slot it lacks: -32007/-32009, or an answer that cannot be decoded) costs one full
///   scan and a new watermark. A node **without transaction history** (-32011) is logged once and every later
///   call is a full scan. Transient failures (transport, timeouts, 429, 5xx) fail the poll, which the next one
///   retries from the same watermark.
/// - Every ``Settings/fullScanInterval`` a full scan reconciles the set anyway (the last resort against anything
///   missed).
///
/// The candidate set holds only Pending jobs, so its memory is bounded by their number (some 300 bytes
/// each), not by the history. Calls are serialized by the actor.
actor IncrementalDiscovery {
    /// The knobs; the defaults are what production uses.
    struct Settings: Sendable {
        /// Seconds between reconciling full scans; `nil`: never (after the start-up one).
        var fullScanInterval: Duration?
        /// Accounts per `getMultipleAccounts` (100 is the RPC's maximum).
        var accountsPerRead = 100
        /// `getMultipleAccounts` calls of one scan in flight at once.
        var readsInFlight = 4
        /// Pages of 1,000 signatures followed back before the watermark counts as lost (a gap).
        var maxSignaturePages = 10
        /// `getTransaction` calls per JSON-RPC batch.
        var transactionsPerBatch = 50
    }

    private let client: SolanaRPCClient
    private let programID: PublicKey
    private let classifier: JobAccountClassifier
    private let store: (any DiscoveryWatermarkStore)?
    private let settings: Settings
    private let logger: Logger

    private var candidates: [PublicKey: PendingJob] = [:]
    private var watermark: DiscoveryWatermark?
    private var lastFullScan: ContinuousClock.Instant?
    private var historyUnavailable = false
    private var storeFailureLogged = false

    private static let noHistoryReason = "no transaction history"

    init(
        client: SolanaRPCClient, programID: PublicKey, classifier: JobAccountClassifier,
        store: (any DiscoveryWatermarkStore)?, settings: Settings, logger: Logger
    ) {
        self.client = client
        self.programID = programID
        self.classifier = classifier
        self.store = store
        self.settings = settings
        self.logger = logger
    }

    /// The watermark the next incremental read starts after (`nil` before the first, or without history).
    var currentWatermark: DiscoveryWatermark? { watermark }

    /// Whether the node was found to keep no transaction history (every call is then a full scan).
    var fallsBackToFullScans: Bool { historyUnavailable }

    /// Every Pending job of the program now, as far as discovery knows.
    func pendingJobs() async throws -> [PendingJob] {
        if lastFullScan == nil {
            try await fullScan(reason: await startReason())
        } else if historyUnavailable {
            try await fullScan(reason: Self.noHistoryReason)
        } else if let interval = settings.fullScanInterval, let last = lastFullScan,
            ContinuousClock.now - last >= interval
        {
            try await fullScan(reason: "FULL_SCAN_INTERVAL")
        } else {
            var fallback: String?
            do {
                try await catchUp()
            } catch {
                if let gap = Self.gap(error) {
                    logger.notice(
                        "discovery: the transaction history has a gap; scanning in full",
                        metadata: ["gap": "\(gap)"])
                    fallback = "gap"
                } else if Self.meansNoHistory(error) {
                    noHistory(error)
                    fallback = Self.noHistoryReason
                } else {
                    throw error
                }
            }
            if let fallback { try await fullScan(reason: fallback) }
        }
        return Array(candidates.values)
    }

    /// Keeps the candidate set in step with the subscription's pushes between polls.
    func note(_ update: JobUpdate) {
        switch update {
        case .pending(let job): candidates[job.address] = job
        case .notPending(let address): candidates[address] = nil
        case .resubscribed: break
        }
    }

    // MARK: - Full scans

    private func startReason() async -> String {
        guard let store else { return "start-up" }
        do {
            guard let stored = try await store.discoveryWatermark(program: programID) else { return "start-up" }
            logger.info(
                "discovery: resuming after the recorded watermark, with one reconciling scan",
                metadata: ["signature": "\(stored.signature)", "slot": "\(stored.slot)"])
            watermark = stored
            return "start-up (reconciling)"
        } catch {
            logStoreFailure(error)
            return "start-up"
        }
    }

    /// Lists every Job account's address, reads them all and replaces the candidate set.
    private func fullScan(reason: String) async throws {
        let started = ContinuousClock.now
        let newest = try await newestSignature()
        let listing = try await client.getProgramAccountAddresses(
            programID, filters: Job.accountFilters, commitment: .confirmed)
        let found = try await read(listing.value, keepingNotPending: false).pending
        candidates = found
        lastFullScan = .now
        if !historyUnavailable, let newest { await advance(to: newest) }
        // Logged at info except on a node without history, where every poll is one (said once, at the switch).
        logger.log(
            level: reason == Self.noHistoryReason ? .debug : .info,
            "discovery: full scan",
            metadata: [
                "reason": "\(reason)", "accounts": "\(listing.value.count)", "pending": "\(found.count)",
                "duration": "\(ContinuousClock.now - started)",
            ])
    }

    /// The program's newest transaction now: the watermark a full scan starts from (`nil` without history).
    private func newestSignature() async throws -> DiscoveryWatermark? {
        guard !historyUnavailable else { return nil }
        do {
            let newest = try await client.getSignaturesForAddress(programID, limit: 1, commitment: .confirmed)
            return newest.first.map { DiscoveryWatermark(signature: $0.signature, slot: $0.slot) }
        } catch {
            guard Self.meansNoHistory(error) else { throw error }
            noHistory(error)
            return nil
        }
    }

    // MARK: - Incremental reads

    /// Reads the transactions after the watermark and the accounts they wrote.
    private func catchUp() async throws {
        let signatures = try await signaturesAfterWatermark()
        guard let newest = signatures.first else { return }
        var written = Set<PublicKey>()
        let landed = signatures.filter { $0.err == nil }
        for start in stride(from: 0, to: landed.count, by: settings.transactionsPerBatch) {
            let chunk = landed[start..<min(start + settings.transactionsPerBatch, landed.count)]
            let answers = try await client.batch(
                chunk.map {
                    RPCRequest<TransactionAccounts?>.getTransactionAccounts($0.signature, commitment: .confirmed)
                })
            for (info, answer) in zip(chunk, answers) {
                guard let transaction = try answer.get() else {
                    throw DiscoveryGap(reason: "the node does not return transaction \(info.signature)")
                }
                written.formUnion(transaction.writableKeys)
            }
        }
        written.remove(programID)
        let read = try await read(Array(written), keepingNotPending: true)
        var changed = 0
        for (address, job) in read.pending where candidates.updateValue(job, forKey: address) == nil { changed += 1 }
        for address in read.notPending where candidates.removeValue(forKey: address) != nil { changed += 1 }
        logger.debug(
            "discovery: incremental read",
            metadata: [
                "transactions": "\(signatures.count)", "accounts": "\(written.count)", "changed": "\(changed)",
                "pending": "\(candidates.count)",
            ])
        await advance(to: DiscoveryWatermark(signature: newest.signature, slot: newest.slot))
    }

    /// The program's transactions after the watermark, newest first; throws ``DiscoveryGap`` when they do not
    /// reach back to it within ``Settings/maxSignaturePages`` pages.
    private func signaturesAfterWatermark() async throws -> [SignatureInfo] {
        var signatures: [SignatureInfo] = []
        var before: Signature?
        for _ in 0..<settings.maxSignaturePages {
            let page = try await client.getSignaturesForAddress(
                programID, before: before, until: watermark?.signature, limit: SolanaRPCClient.maxSignaturesPerPage,
                commitment: .confirmed)
            signatures += page
            guard page.count >= SolanaRPCClient.maxSignaturesPerPage, let oldest = page.last else { return signatures }
            before = oldest.signature
        }
        throw DiscoveryGap(
            reason:
                "more than \(signatures.count) transactions since the watermark \(watermark.map { "\($0.signature)" } ?? "(none)")"
        )
    }

    // MARK: - Reading accounts

    /// Reads `addresses`, 100 per call and ``Settings/readsInFlight`` calls at once: the Pending jobs among
    /// them, and the others' addresses when `keepingNotPending` (a full scan needs only the former).
    private func read(_ addresses: [PublicKey], keepingNotPending: Bool) async throws -> AccountsRead {
        let client = client
        let classifier = classifier
        let size = settings.accountsPerRead
        let readsInFlight = settings.readsInFlight
        return try await withThrowingTaskGroup(of: [(PublicKey, JobAccountVerdict)].self) { group in
            var result = AccountsRead()
            var next = 0
            var inFlight = 0
            while true {
                while inFlight < readsInFlight, next < addresses.count {
                    let page = Array(addresses[next..<min(next + size, addresses.count)])
                    next += page.count
                    inFlight += 1
                    group.addTask { try await Self.readPage(page, client: client, classifier: classifier) }
                }
                guard let verdicts = try await group.next() else { break }
                inFlight -= 1
                for (address, verdict) in verdicts {
                    switch verdict {
                    case .pending(let job): result.pending[address] = job
                    case .notPending: if keepingNotPending { result.notPending.append(address) }
                    }
                }
            }
            return result
        }
    }

    private static func readPage(
        _ page: [PublicKey], client: SolanaRPCClient, classifier: JobAccountClassifier
    ) async throws -> [(PublicKey, JobAccountVerdict)] {
        let answer = try await client.send(.getMultipleAccounts(page, commitment: .confirmed))
        guard answer.value.count == page.count else {
            throw SolanaRPCError.undecodableResponse(
                url: client.displayURL, method: "getMultipleAccounts",
                reason: "asked for \(page.count) accounts, got \(answer.value.count)", excerpt: "")
        }
        return zip(page, answer.value).map { ($0, classifier.verdict($0, $1, slot: answer.slot)) }
    }

    // MARK: - Watermark and fallback

    private func advance(to newest: DiscoveryWatermark) async {
        guard newest != watermark else { return }
        watermark = newest
        guard let store else { return }
        do {
            try await store.recordDiscoveryWatermark(newest, program: programID)
        } catch {
            logStoreFailure(error)
        }
    }

    private func logStoreFailure(_ error: any Error) {
        guard !storeFailureLogged else { return }
        storeFailureLogged = true
        logger.warning(
            "discovery: the watermark could not be read or recorded; a restart scans in full as always",
            metadata: ["error": "\(error)"])
    }

    private func noHistory(_ error: any Error) {
        guard !historyUnavailable else { return }
        historyUnavailable = true
        watermark = nil
        logger.warning(
            "discovery: the RPC node keeps no transaction history; falling back to a full scan on every poll",
            metadata: ["error": "\(error)"])
    }

    /// -32011: the node keeps no transaction history at all.
    private static func meansNoHistory(_ error: any Error) -> Bool {
        guard case .rpc(_, let rpcError) = error as? SolanaRPCError else { return false }
        return rpcError.code == JSONRPCError.transactionHistoryNotAvailable
    }

    /// Why an incremental read cannot go on but one full scan will do: a ``DiscoveryGap``, a slot the node lacks
    /// (-32007, -32009), or an answer that is not what it should be (retrying it would fail the same way every
    /// poll). `nil` for the errors a later poll may not meet (transport, timeouts, 429, 5xx), which are thrown.
    private static func gap(_ error: any Error) -> String? {
        if let gap = error as? DiscoveryGap { return gap.reason }
        guard let rpcError = error as? SolanaRPCError, !rpcError.isTransient else { return nil }
        switch rpcError {
        case .rpc(_, let answer) where answer.meansNoTransactionHistory && !meansNoHistory(error):
            return "\(rpcError)"
        case .undecodableResponse, .responseTooLarge:
            return "\(rpcError)"
        default:
            return nil
        }
    }
}

/// What one read of accounts found.
struct AccountsRead: Sendable {
    /// The Pending jobs, by address.
    var pending: [PublicKey: PendingJob] = [:]
    /// The addresses of the other accounts (when asked for).
    var notPending: [PublicKey] = []
}

/// The transactions since the watermark cannot be followed back to it.
struct DiscoveryGap: Error, CustomStringConvertible {
    /// Why.
    var reason: String
    /// A readable account of the value.
    var description: String { reason }
}
