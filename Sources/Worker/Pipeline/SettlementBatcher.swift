import Foundation
import Logging
import Solana

/// Groups the jobs whose complete_job is due into shared transactions, so that one signature, one fee and one
/// confirmation serve several jobs. Just before a batch is signed, its jobs are read again in one
/// `getMultipleAccounts`: a job no longer Pending is left out (and recorded as lost, cancelled or retried).
///
/// The first job to arrive waits up to ``SettlementBatching/window`` for others, but only while other jobs are
/// on their way to settlement (in the pipeline, not yet queued here: executing, publishing): with none, nobody
/// would join, so the batch leaves at once and a lone job is not delayed. The batch also leaves early once it
/// is full (``SettlementBatching/maxJobs``, or as many instructions as fit in a packet). Whoever's job is at the front of the
/// queue sends the batch from its own task, so a shutdown's cancellation reaches every send; a cancelled job
/// leaves the queue unsent and hands the lead to the next one. Every job of a batch is journaled as submitted
/// with the same transaction in one write before anything is sent, so a crash at any point resumes each of
/// them from the same signature.
actor SettlementBatcher {
    private struct Entry {
        let request: SettlementRequest
        /// The job's upstream ticket, if it has one.
        let ticket: UInt64?
        /// Resumed when the job may have something to do: lead the next batch, or take its outcome.
        var waker: CheckedContinuation<Void, Never>?
        var result: Result<SettlementOutcome, any Error>?
    }

    private let settler: any JobSettler
    private let source: any JobSource
    private let options: SettlementBatching
    private let journal: Journal
    private let metrics: WorkerMetrics
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// Jobs not yet in a batch, oldest first.
    private var queue: [UInt64] = []
    private var entries: [UInt64: Entry] = [:]
    private var nextID: UInt64 = 0
    /// Tickets of jobs in the pipeline that have not reached the queue: a batch waits for them.
    private var upstream: Set<UInt64> = []

    init(
        settler: any JobSettler, source: any JobSource, options: SettlementBatching, journal: Journal,
        metrics: WorkerMetrics, logger: Logger, now: @escaping @Sendable () -> Date
    ) {
        self.settler = settler
        self.source = source
        self.options = options
        self.journal = journal
        self.metrics = metrics
        self.logger = logger
        self.now = now
    }

    /// Counts a job entering the pipeline as on its way here, until ``leaveUpstream(_:)`` or
    /// ``settle(_:ticket:)`` with the returned ticket.
    func enterUpstream() -> UInt64 {
        let ticket = nextID
        nextID &+= 1
        upstream.insert(ticket)
        return ticket
    }

    /// The job of `ticket` left the pipeline without settling (or already settled): no batch waits for it.
    func leaveUpstream(_ ticket: UInt64) {
        guard upstream.remove(ticket) != nil, upstream.isEmpty else { return }
        wakeFront()
    }

    /// Settles `request` in a batch with whatever else is due, and returns this job's outcome. `ticket`, from
    /// ``enterUpstream()``, stops counting the job as on its way.
    ///
    /// The job at the front of the queue leads the next batch: it waits for company while the batch has room
    /// and other jobs are on their way, up to the window, then takes the batch (itself included) and sends it
    /// from its own task. A job arriving behind it only wakes it, when the batch is full or nobody else is on
    /// the way; so no job ever sends a batch it is not in, and a batch's sender is never busy confirming
    /// another one.
    func settle(_ request: SettlementRequest, ticket: UInt64? = nil) async throws -> SettlementOutcome {
        if let ticket { upstream.remove(ticket) }
        let id = nextID
        nextID &+= 1
        entries[id] = Entry(request: request, ticket: ticket)
        queue.append(id)
        if queue.first != id, upstream.isEmpty || frontBatchIsFull() { wakeFront() }
        var windowEnds: ContinuousClock.Instant?
        while queue.contains(id) {
            if Task.isCancelled {
                leave(id)
                throw CancellationError()
            }
            guard queue.first == id else {
                await wait(id, cancellable: true)
                continue
            }
            let deadline = windowEnds ?? ContinuousClock.now + options.window
            windowEnds = deadline
            if ContinuousClock.now < deadline, !upstream.isEmpty, !frontBatchIsFull() {
                await waitForWindow(id, until: deadline)
            } else {
                await send(takeBatch())
            }
        }
        // In a batch on its way: its sender hands out the outcomes, even to a cancelled job.
        while entries[id]?.result == nil { await wait(id, cancellable: false) }
        let result = entries.removeValue(forKey: id)?.result
        return try result?.get() ?? .notLanded(reason: "the settlement batch ended without an outcome")
    }

    // MARK: - Queue

    /// The requests of the jobs that the next batch could hold, front first.
    private var frontRequests: [SettlementRequest] {
        queue.prefix(options.maxJobs).compactMap { entries[$0]?.request }
    }

    /// Whether the batch at the front of the queue can take no further job: it has ``SettlementBatching/maxJobs``
    /// jobs, or one more job like its last would not fit in the packet.
    private func frontBatchIsFull() -> Bool {
        let requests = frontRequests
        guard let last = requests.last else { return false }
        guard requests.count < options.maxJobs else { return true }
        return settler.batchCapacity(for: requests + [Self.oneMore(like: last)]) <= requests.count
    }

    /// A request like `last` for another job: the size of the job that would join next.
    private static func oneMore(like last: SettlementRequest) -> SettlementRequest {
        var request = last
        var bytes = last.job.address.bytes
        bytes[0] ^= 0xff
        if let address = try? PublicKey(bytes: bytes) { request.job.address = address }
        return request
    }

    /// The batch at the front of the queue, removed from it: as many of the leading jobs as fit (at least the
    /// first).
    private func takeBatch() -> [UInt64] {
        let capacity = min(options.maxJobs, max(1, settler.batchCapacity(for: frontRequests)))
        let batch = Array(queue.prefix(capacity))
        queue.removeFirst(batch.count)
        wakeFront()
        return batch
    }

    /// Removes a cancelled job that was never sent and hands the lead on.
    private func leave(_ id: UInt64) {
        queue.removeAll { $0 == id }
        entries[id] = nil
        wakeFront()
    }

    /// Tells the job now at the front of the queue to lead the next batch.
    private func wakeFront() {
        guard let front = queue.first else { return }
        wake(front)
    }

    /// Waits until `id` is woken: told to lead, its outcome in, or (when `cancellable`) its task cancelled.
    private func wait(_ id: UInt64, cancellable: Bool) async {
        guard cancellable else {
            await withCheckedContinuation { entries[id]?.waker = $0 }
            return
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { entries[id]?.waker = $0 }
        } onCancel: {
            Task { await self.wake(id) }
        }
    }

    /// Waits, leading, until the batch window ends, the batch is sent by a job that filled it, no job is on its
    /// way any more, or the task is cancelled.
    private func waitForWindow(_ id: UInt64, until deadline: ContinuousClock.Instant) async {
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            self.wake(id)
        }
        await wait(id, cancellable: true)
        timer.cancel()
    }

    private func wake(_ id: UInt64) {
        guard let waker = entries[id]?.waker else { return }
        entries[id]?.waker = nil
        waker.resume()
    }

    // MARK: - Sending

    /// Reads the states of `batch`'s jobs in one call, hands those no longer Pending their state, and sends one
    /// transaction for the rest; each job gets its outcome. A failed read is every job's (transient) failure.
    private func send(_ candidates: [UInt64]) async {
        let states: [PublicKey: OnChainJobState]
        do {
            states = try await source.jobStates(of: candidates.compactMap { entries[$0]?.request.job.address })
        } catch {
            hand(.failure(error), to: candidates)
            return
        }
        var batch: [UInt64] = []
        for id in candidates {
            guard let address = entries[id]?.request.job.address else { continue }
            let state = states[address] ?? .missing
            if state == .pending {
                batch.append(id)
            } else {
                hand(.success(.notPending(state)), to: [id])
            }
        }
        guard !batch.isEmpty else { return }
        let requests = batch.compactMap { entries[$0]?.request }
        let addresses = requests.map(\.job.address)
        let journal = journal
        let logger = logger
        let now = now
        metrics.settlementBatch(jobs: requests.count)
        let results: [Result<SettlementOutcome, any Error>]
        do {
            let outcomes = try await settler.settle(requests) { transaction in
                try await journal.apply(.submitted(transaction), toEach: addresses, at: now())
                logger.info(
                    "complete_job signed and journaled",
                    metadata: [
                        "signature": "\(transaction.signature)", "jobs": "\(addresses.count)",
                        "addresses": "\(addresses.map(\.base58).joined(separator: ","))",
                    ])
            }
            results = requests.indices.map { index in
                .success(
                    index < outcomes.count
                        ? outcomes[index] : .retryLater(reason: "the settler returned no outcome for this job"))
            }
        } catch {
            results = Array(repeating: .failure(error), count: requests.count)
        }
        for (id, result) in zip(batch, results) {
            // A job whose transaction failed for another job, or expired, comes straight back to be signed
            // again: the next batch waits for it as for any job on its way.
            if case .success(.notLanded) = result, let ticket = entries[id]?.ticket { upstream.insert(ticket) }
            if case .success(.expired) = result, let ticket = entries[id]?.ticket { upstream.insert(ticket) }
            hand(result, to: [id])
        }
    }

    /// Gives `result` to each job of `ids` and wakes it.
    private func hand(_ result: Result<SettlementOutcome, any Error>, to ids: [UInt64]) {
        for id in ids {
            entries[id]?.result = result
            wake(id)
        }
    }
}
