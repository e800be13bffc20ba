import Crypto
import Foundation
import Solana
import Worker

/// Counts entries into a stage and can hold callers until cancelled (a crash or kill mid-stage).
package final class StageControl: Sendable {
    package struct State {
        package var calls = 0
        package var entered = 0
        package var faults: [StageError] = []
        package var hang = false
        package var active = 0
        package var maxActive = 0
    }

    package let state = Locked(State())

    package var calls: Int { state.current.calls }
    package var entered: Int { state.current.entered }
    package var maxActive: Int { state.current.maxActive }

    package func fail(_ errors: StageError...) { state.withLock { $0.faults += errors } }
    package func hang(_ on: Bool) { state.withLock { $0.hang = on } }

    /// Enters the stage: throws a scripted fault, or hangs until cancelled, or returns.
    package func enter() async throws {
        let hang = try state.withLock { state in
            state.entered += 1
            if !state.faults.isEmpty { throw state.faults.removeFirst() }
            state.active += 1
            state.maxActive = max(state.maxActive, state.active)
            return state.hang
        }
        defer { state.withLock { $0.active -= 1 } }
        if hang {
            // Held until the test releases it or the task is cancelled (a kill).
            while state.withLock({ $0.hang }) { try await Task.sleep(for: .milliseconds(2)) }
        }
        state.withLock { $0.calls += 1 }
    }
}

/// Code by CID. A held CID's fetch waits until the CID is released or the task is cancelled; a stuck CID's
/// fetch ignores cancellation too (a library that does not react to it) until ``releaseStuck()``, without
/// blocking a thread of the cooperative pool.
package final class FakeFetcher: CodeFetcher {
    package struct Stuck {
        package var cids: Set<String> = []
        package var waiters: [CheckedContinuation<Void, Never>] = []
    }

    package let control = StageControl()
    package let code = Locked<[String: [UInt8]]>([:])
    package let held = Locked<Set<String>>([])
    package let stuck = Locked(Stuck())
    package let waitingNow = Locked(0)

    /// Makes fetches of `cid` ignore cancellation until ``releaseStuck()``.
    package func makeStuck(_ cid: String) { stuck.withLock { _ = $0.cids.insert(cid) } }

    /// Lets every stuck fetch go on.
    package func releaseStuck() {
        let waiters = stuck.withLock { state in
            state.cids.removeAll()
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    package func fetchCode(cid: String, maxBytes: Int) async throws -> [UInt8] {
        if held.withLock({ $0.contains(cid) }) || stuck.withLock({ $0.cids.contains(cid) }) {
            waitingNow.withLock { $0 += 1 }
            defer { waitingNow.withLock { $0 -= 1 } }
            while held.withLock({ $0.contains(cid) }) { try await Task.sleep(for: .milliseconds(2)) }
            await withCheckedContinuation { continuation in
                let release = stuck.withLock { state in
                    guard state.cids.contains(cid) else { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if release { continuation.resume() }
            }
        }
        try await control.enter()
        guard let bytes = code.withLock({ $0[cid] }) else {
            throw StageError.invalidJobInput("the code CID \(cid) cannot be parsed")
        }
        guard bytes.count <= maxBytes else {
            throw StageError.invalidJobInput("the code is \(bytes.count) bytes, over the limit of \(maxBytes)")
        }
        return bytes
    }
}

/// "Runs" code: stdout is the code's text; a held executor models a long run. It remembers the packages
/// directory of each run.
package final class FakeExecutor: CodeExecutor {
    package let control = StageControl()
    package let delay = Locked<Duration?>(nil)
    package let packages = Locked<[String?]>([])

    package func execute(code: [UInt8], packages: String?) async throws -> ExecutionReport {
        self.packages.withLock { $0.append(packages) }
        try await control.enter()
        if let delay = delay.current { try await Task.sleep(for: delay) }
        return ExecutionReport(stdout: String(decoding: code, as: UTF8.self), stderr: "", returnCode: 0, wallTime: 0.25)
    }
}

/// Content-addressed store: CID = "Qm" + base58(sha256(bytes)), 46 characters or so, like a CIDv0.
package final class FakePublisher: ResultPublisher {
    package let control = StageControl()
    package let store = Locked<[String: [UInt8]]>([:])
    package let cidPrefix = Locked("Qm")
    package let wrongCID = Locked(false)

    package func expectedCID(of bytes: [UInt8]) throws -> String {
        cidPrefix.current + Base58.encode(Array(SHA256.hash(data: bytes)))
    }

    package func publish(_ bytes: [UInt8], name: String) async throws -> String {
        try await control.enter()
        let cid = try expectedCID(of: bytes)
        store.withLock { $0[cid] = bytes }
        return wrongCID.current ? "bafywrong" : cid
    }
}

/// Settles against a ``FakeChain``, several jobs per transaction as the real settler does; outcomes can be
/// scripted, and it can hang after journaling (a kill after send).
package final class FakeSettler: JobSettler, BalanceMonitor {
    package struct State {
        package var beforeSend: [SettlementOutcome] = []
        package var scripted: [SettlementOutcome] = []
        package var sent: [SubmittedTransaction] = []
        /// The jobs of each transaction sent, in order.
        package var batches: [[PublicKey]] = []
        package var resumed: [Signature] = []
        /// Each transaction's jobs and their result CIDs.
        package var requests: [Signature: [SettlementRequest]] = [:]
        package var counter: UInt8 = 0
        /// Holds each settlement after journaling, until cleared.
        package var hangAfterJournal = false
        package var landOnSend = true
        package var balance: UInt64 = 1_000_000_000
        /// Jobs that fit in one transaction.
        package var capacity = 10
    }

    package let chain: FakeChain
    package let control = StageControl()
    package let state = Locked(State())

    package init(chain: FakeChain) {
        self.chain = chain
    }

    package func batchCapacity(for requests: [SettlementRequest]) -> Int {
        requests.isEmpty ? 0 : max(1, min(requests.count, state.current.capacity))
    }

    package func settle(_ batch: [SettlementRequest], journal: @Sendable (SubmittedTransaction) async throws -> Void)
        async throws -> [SettlementOutcome]
    {
        try await control.enter()
        if let early = state.withLock({ $0.beforeSend.isEmpty ? nil : $0.beforeSend.removeFirst() }) {
            return batch.map { _ in early }
        }
        let transaction = state.withLock { state in
            state.counter &+= 1
            let signature = (try? Signature(bytes: [UInt8](repeating: state.counter, count: 64))) ?? .placeholder
            return SubmittedTransaction(
                signature: signature, lastValidBlockHeight: 500, wireBytes: [1, 2, state.counter])
        }
        try await journal(transaction)
        let (hang, scripted, land) = state.withLock { state in
            state.sent.append(transaction)
            state.batches.append(batch.map(\.job.address))
            state.requests[transaction.signature] = batch
            return (
                state.hangAfterJournal, state.scripted.isEmpty ? nil : state.scripted.removeFirst(), state.landOnSend
            )
        }
        // Held until a test clears `hangAfterJournal` (or cancels the settlement): a transaction confirming.
        if hang {
            while state.current.hangAfterJournal { try await Task.sleep(for: .milliseconds(2)) }
        }
        if let scripted { return batch.map { _ in scripted } }
        guard land else { return batch.map { _ in .expired } }
        return apply(transaction, batch: batch)
    }

    package func resume(submitted: SubmittedTransaction, job: PendingJob) async throws -> SettlementOutcome {
        let batch = state.withLock { state in
            state.resumed.append(submitted.signature)
            return state.requests[submitted.signature] ?? []
        }
        let ours = batch.first { $0.job.address == job.address }?.resultCID ?? ""
        // The earlier send may or may not have landed; rebroadcasting the same bytes lands it once.
        guard case .completed(let cid) = chain.status(job.address) else {
            let outcomes = apply(submitted, batch: batch)
            return batch.firstIndex { $0.job.address == job.address }.map { outcomes[$0] } ?? .lostRace
        }
        return cid == ours ? .settled(signature: submitted.signature, slot: 42) : .lostRace
    }

    package func balance() async throws -> UInt64 { state.current.balance }

    /// Lands the transaction atomically: every job completed, or, when one job is no longer pending, none (that
    /// job gets its program error, the others ``SettlementOutcome/notLanded(reason:)``).
    private func apply(_ transaction: SubmittedTransaction, batch: [SettlementRequest]) -> [SettlementOutcome] {
        let refusals: [SettlementOutcome?] = batch.map { request in
            switch chain.status(request.job.address) {
            case .pending: nil
            case .completed, .missing: .lostRace
            case .cancelled: .cancelled
            }
        }
        guard refusals.allSatisfy({ $0 == nil }) else {
            return refusals.map { $0 ?? .notLanded(reason: "another job of the batch was refused") }
        }
        for request in batch { chain.set(request.job.address, .completed(resultCID: request.resultCID)) }
        return batch.map { _ in .settled(signature: transaction.signature, slot: 42) }
    }
}
