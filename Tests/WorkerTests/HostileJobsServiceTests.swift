import Foundation
import Solana
import Testing
import WorkerTesting

@testable import Worker

/// The run loop against jobs whose code cannot be had: held fetches, fetches that ignore cancellation,
/// code that never turns up. Newer ordinary jobs must settle meanwhile, and a shutdown must not wait for them.
@Suite struct HostileJobsServiceTests {
    let harness = Harness()

    /// Eight older jobs whose fetches are held, then ordinary ones: with 2 execution slots and 8 fast-lane
    /// fetch slots, the held fetches move to the slow lane and the ordinary jobs settle.
    @Test func heldFetchesDoNotStallNewerJobs() async throws {
        let journal = try harness.openJournal()
        let held = (1...8).map { harness.addJob(UInt8($0), startTime: Int64($0)) }
        harness.fetcher.held.withLock { $0 = Set(held.map(\.codeCID)) }
        let service = harness.service(journal: journal, maxConcurrent: 2, pollInterval: .milliseconds(20))
        let run = Task { try await service.run(once: false) }
        #expect(await eventually { harness.fetcher.waitingNow.current == 8 })
        let ordinary = (20...29).map { harness.addJob(UInt8($0), startTime: Int64(100 + $0)) }
        #expect(await eventually { ordinary.allSatisfy { harness.chain.status($0.address) != .pending } })
        #expect(held.allSatisfy { harness.chain.status($0.address) == .pending }, "the held jobs still wait")
        harness.fetcher.held.withLock { $0.removeAll() }
        #expect(await eventually { held.allSatisfy { harness.chain.status($0.address) != .pending } })
        service.shutdown()
        let summary = try await run.value
        #expect(summary.settled == 18)
    }

    /// A fetch that ignores cancellation neither holds the shutdown nor outlives `CODE_FETCH_TIMEOUT`.
    @Test func aFetchIgnoringCancellationDoesNotHoldTheShutdown() async throws {
        let journal = try harness.openJournal()
        let stuck = harness.addJob(1)
        harness.fetcher.makeStuck(stuck.codeCID)
        defer { harness.fetcher.releaseStuck() }
        let service = harness.service(journal: journal, grace: .milliseconds(100))
        let run = Task { try await service.run(once: false) }
        #expect(await eventually { harness.fetcher.waitingNow.current == 1 })
        let ordinary = harness.addJob(2, startTime: 2_000_000_000)
        #expect(await eventually { harness.chain.status(ordinary.address) != .pending })
        let started = ContinuousClock.now
        service.shutdown()
        let summary = try await run.value
        #expect(ContinuousClock.now - started < .seconds(5), "the stuck fetch is abandoned, not waited for")
        #expect(summary.shutDown)
        #expect(try await journal.record(for: stuck.address)?.state == .discovered, "resumed next start")
    }

    /// Code that never turns up while the gateways serve other jobs' code: each fetch ends at
    /// `CODE_FETCH_TIMEOUT`, retries back off, and once `CODE_RETRIEVAL_DEADLINE` has passed since the first
    /// attempt the job is answered with an error document.
    @Test func unobtainableCodeIsAnsweredAfterTheRetrievalDeadline() async throws {
        let (journal, lost, service, run) = try startWithLostCode(
            fetchTimeout: .milliseconds(50), deadline: .milliseconds(400))
        defer { harness.fetcher.held.withLock { $0.removeAll() } }
        #expect(await eventually { harness.fetcher.waitingNow.current == 1 })
        let ordinary = harness.addJob(2, startTime: 2_000_000_000)
        #expect(await eventually { harness.chain.status(ordinary.address) != .pending })
        #expect(await eventually { harness.chain.status(lost.address) != .pending })
        service.shutdown()
        let summary = try await run.value
        #expect(summary.settled == 2)
        #expect(summary.retries >= 2, "retried before giving up")
        let record = try #require(try await journal.record(for: lost.address))
        let document = try #require(record.resultDocument.map { String(decoding: $0, as: UTF8.self) })
        #expect(document.contains(#""returncode": -1"#))
        #expect(document.contains("CODE_RETRIEVAL_DEADLINE"))
        #expect(document.contains("CODE_FETCH_TIMEOUT"), "says what was tried")
        #expect(harness.executor.control.calls == 1, "only the ordinary job ran")
    }

    /// When no job's code can be fetched at all, the gateways may be down: nobody is blamed.
    @Test func nobodyIsBlamedWhileNoCodeCanBeFetched() async throws {
        let (journal, lost, service, run) = try startWithLostCode(
            fetchTimeout: .milliseconds(20), deadline: .milliseconds(100))
        defer { harness.fetcher.held.withLock { $0.removeAll() } }
        #expect(
            await eventually {
                harness.lines.current.contains { $0.contains("not blaming the job while the gateways may be down") }
            })
        #expect(harness.chain.status(lost.address) == .pending)
        service.shutdown()
        _ = try await run.value
        #expect(try await journal.record(for: lost.address)?.resultDocument == nil)
    }

    /// A continuous worker with one job whose code is held for ever, and the given deadlines.
    func startWithLostCode(fetchTimeout: Duration, deadline: Duration) throws -> (
        Journal, PendingJob, WorkerService, Task<RunSummary, any Error>
    ) {
        let journal = try harness.openJournal()
        let gate = SettlementGate()
        let lost = harness.addJob(1)
        harness.fetcher.held.withLock { _ = $0.insert(lost.codeCID) }
        let pipeline = harness.pipeline(
            journal: journal, gate: gate, codeFetchTimeout: fetchTimeout, codeRetrievalDeadline: deadline)
        let service = harness.service(journal: journal, gate: gate, pipeline: pipeline)
        return (journal, lost, service, Task { try await service.run(once: false) })
    }

    /// Invalid input is answered once, at preparation, and never retried.
    @Test func invalidInputIsAnsweredWithoutRetries() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        harness.fetcher.control.fail(.invalidJobInput("a DAG that breaks the link-visit budget"))
        let summary = try await harness.service(journal: journal).run(once: true)
        #expect(summary.settled == 1)
        #expect(summary.retries == 0)
        #expect(harness.fetcher.control.entered == 1)
        let record = try #require(try await journal.record(for: job.address))
        let document = String(decoding: record.resultDocument ?? [], as: UTF8.self)
        #expect(document.contains("link-visit budget"))
    }

    /// The balance that resumes settlement is the fee the settler pauses under, priority fee included.
    @Test(arguments: [0, 1, 1_000_000] as [UInt64])
    func oneFundsThreshold(priorityFee: UInt64) throws {
        let configuration = try WorkerConfiguration.load(
            .init(environment: [
                "PRIORITY_FEE_MICROLAMPORTS": "\(priorityFee)", "PINATA_JWT": "x",
            ]), processorCount: 2)
        let options = WorkerService.Options(configuration: configuration)
        #expect(
            options.minimumSettlementBalance == SolanaJobSettler.Fees(priorityFeeMicroLamports: priorityFee).feeLamports
        )
        #expect(options.fetchConcurrency == 8, "4 × MAX_CONCURRENT_JOBS by default")
    }

    /// A full disk pauses the worker with a clear message; once there is room it goes on, and every job settles.
    @Test func aFullDiskPausesTheWorkerAndLosesNothing() async throws {
        let journal = try harness.openJournal()
        let pages = try await journal.limitPagesForTesting(to: 1)
        let jobs = (1...30).map { harness.addJob(UInt8($0)) }
        let service = harness.service(journal: journal)
        let run = Task { try await service.run(once: false) }
        #expect(
            await eventually { harness.lines.current.contains { $0.contains("the disk holding the journal is full") } })
        #expect(jobs.contains { harness.chain.status($0.address) == .pending }, "paused before finishing")
        #expect(try await journal.limitPagesForTesting(to: nil) > pages)
        #expect(await eventually { jobs.allSatisfy { harness.chain.status($0.address) != .pending } })
        #expect(harness.lines.current.contains { $0.contains("the journal is writable again: taking jobs") })
        service.shutdown()
        let summary = try await run.value
        #expect(summary.settled == 30)
    }

    /// A job account that reads as missing after the result is published is a lagging node, not a failure.
    @Test func aMissingAccountAfterPublishingIsRetried() async throws {
        let journal = try harness.openJournal()
        let gate = SettlementGate()
        let job = harness.addJob(1)
        let pipeline = harness.pipeline(journal: journal, gate: gate)
        harness.publisher.control.fail(.transient("pinata 502"))
        #expect(await pipeline.process(job, firstSeen: Date()).isRetry)
        harness.chain.state.withLock { $0.states[job.address] = nil }
        #expect(await pipeline.process(job, firstSeen: Date()).isRetry, "missing: retried")
        #expect(try await journal.record(for: job.address)?.state == .published)
        harness.chain.set(job.address, .pending)
        #expect(await pipeline.process(job, firstSeen: Date()) == .finished(.settled))
    }
}

extension JobRunResult {
    var isRetry: Bool {
        if case .retry = self { return true }
        return false
    }
}
