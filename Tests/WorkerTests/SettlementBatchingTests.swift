import Foundation
import Solana
import Testing
import WorkerTesting

@testable import Worker

/// Several jobs per complete_job transaction (issue #13, part 4), with the fakes: who shares a transaction,
/// what the journal records, how a batch refused for one job is split, and what a cancelled job leaves.
@Suite struct SettlementBatchingTests {
    let harness = Harness()
    let firstSeen = Date()
    /// A window no test waits out: batches here leave because they are full.
    static let longWindow = Duration.seconds(30)

    func pipeline(_ journal: Journal, maxJobs: Int, window: Duration = longWindow) -> JobPipeline {
        harness.pipeline(
            journal: journal, gate: SettlementGate(), batching: SettlementBatching(maxJobs: maxJobs, window: window))
    }

    func processAll(_ jobs: [PendingJob], with pipeline: JobPipeline) async -> [JobRunResult] {
        let firstSeen = firstSeen
        return await withTaskGroup(of: JobRunResult.self) { group in
            for job in jobs { group.addTask { await pipeline.process(job, firstSeen: firstSeen) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func dueJobsShareOneTransactionThatLeavesOnceFull() async throws {
        let journal = try harness.openJournal()
        let jobs = (1...3).map { harness.addJob($0) }
        let pipeline = pipeline(journal, maxJobs: 3)
        // Another job on its way keeps the batch waiting (up to the long window) until it is full.
        let onItsWay = await pipeline.batcher.enterUpstream()
        let results = await processAll(jobs, with: pipeline)
        await pipeline.batcher.leaveUpstream(onItsWay)
        #expect(results == Array(repeating: .finished(.settled), count: 3))
        let batches = harness.settler.state.current.batches
        #expect(batches.count == 1)
        #expect(Set(batches.first ?? []) == Set(jobs.map(\.address)))
        let signature = try #require(harness.settler.state.current.sent.first?.signature)
        for job in jobs {
            let record = try #require(try await journal.record(for: job.address))
            #expect(record.submission?.signature == signature)
            #expect(harness.chain.status(job.address) == .completed(resultCID: record.resultCID ?? ""))
        }
        #expect(Set(try await journal.jobs(coveredBy: signature)) == Set(jobs.map(\.address)))
        let exposition = harness.registry.registry.emitToString()
        #expect(exposition.contains("cloudmesh_settlement_transactions_total 1"))
        #expect(exposition.contains("cloudmesh_settlement_jobs_total 3"))
    }

    @Test func aBatchRefusedForOneJobIsSplitAndTheRestSettle() async throws {
        let journal = try harness.openJournal()
        let (first, second, third) = (harness.addJob(1), harness.addJob(2), harness.addJob(3))
        let pipeline = pipeline(journal, maxJobs: 2)
        // The third job is on its way from the start, so that the first, back in the queue, waits for it.
        let thirdOnItsWay = await pipeline.batcher.enterUpstream()
        // The first two jobs fill a batch; it is held while another worker completes the second one.
        harness.settler.control.hang(true)
        let firstTwo = Task { await processAll([first, second], with: pipeline) }
        #expect(await eventually { harness.settler.control.entered == 1 })
        harness.chain.set(second.address, .completed(resultCID: "their-cid"))
        harness.settler.control.hang(false)
        // The first job goes back to the queue, where it fills the next batch with the third.
        let last = await processAll([third], with: pipeline)
        await pipeline.batcher.leaveUpstream(thirdOnItsWay)
        let results = await firstTwo.value
        #expect(Set(results + last) == [.finished(.settled), .finished(.lostRace)])
        #expect(try await journal.record(for: second.address)?.state == .lostRace)
        for job in [first, third] {
            let record = try #require(try await journal.record(for: job.address))
            #expect(record.state == .settled)
            #expect(harness.chain.status(job.address) == .completed(resultCID: record.resultCID ?? ""))
        }
        let batches = harness.settler.state.current.batches
        #expect(batches.count == 2)
        #expect(Set(batches.last ?? []) == [first.address, third.address])
        let events = try await journal.transitions(for: first.address).map(\.event)
        #expect(events.suffix(4) == ["submitted", "expired", "submitted", "settled"])
        #expect(harness.lines.current.contains { $0.contains("the batch's transaction failed on another job") })
    }

    @Test func aBatchNeverHoldsMoreThanFits() async throws {
        let journal = try harness.openJournal()
        harness.settler.state.withLock { $0.capacity = 2 }
        let jobs = (1...5).map { harness.addJob($0) }
        let results = await processAll(jobs, with: pipeline(journal, maxJobs: 10, window: .milliseconds(20)))
        #expect(results == Array(repeating: .finished(.settled), count: 5))
        let batches = harness.settler.state.current.batches
        #expect(batches.allSatisfy { $0.count <= 2 })
        #expect(batches.flatMap { $0 }.count == 5, "every job in exactly one transaction")
    }

    @Test func aCancelledJobLeavesTheQueueUnsent() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        let pipeline = pipeline(journal, maxJobs: 4)
        let onItsWay = await pipeline.batcher.enterUpstream()
        let task = Task { await pipeline.process(job, firstSeen: firstSeen) }
        #expect(await eventually { (try? await journal.record(for: job.address))?.state == .published })
        task.cancel()
        #expect(await task.value == .interrupted)
        await pipeline.batcher.leaveUpstream(onItsWay)
        #expect(harness.settler.state.current.sent.isEmpty)
        #expect(try await journal.record(for: job.address)?.state == .published, "the next start settles it")
    }

    /// With no other job on its way to settlement, a batch does not wait out its window: a lone job settles at
    /// once, and the last jobs of a burst do not wait for company that is not coming.
    @Test func aLoneJobDoesNotWaitOutTheWindow() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        let pipeline = pipeline(journal, maxJobs: 10)
        let started = ContinuousClock.now
        #expect(await pipeline.process(job, firstSeen: firstSeen) == .finished(.settled))
        #expect(ContinuousClock.now - started < Self.longWindow, "settled without waiting out the 30 s window")
        #expect(harness.settler.state.current.batches == [[job.address]])
    }

    /// A batch waiting for a job on its way leaves as soon as that job leaves the pipeline without settling.
    @Test func aBatchLeavesWhenTheJobItWaitedForLeavesThePipeline() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        let pipeline = pipeline(journal, maxJobs: 10)
        let onItsWay = await pipeline.batcher.enterUpstream()
        let task = Task { await pipeline.process(job, firstSeen: firstSeen) }
        #expect(await eventually { (try? await journal.record(for: job.address))?.state == .published })
        #expect(harness.settler.state.current.sent.isEmpty, "waiting for the job on its way")
        await pipeline.batcher.leaveUpstream(onItsWay)
        #expect(await task.value == .finished(.settled))
        #expect(harness.settler.state.current.batches == [[job.address]])
    }

    /// A prepared job waiting for a slot counts as on its way; when the scheduler drops it instead of running
    /// it, its ticket goes with it, and the batch that waited for it leaves.
    @Test func aPreparedJobDroppedBeforeItRunsNoLongerHoldsTheBatch() async throws {
        let journal = try harness.openJournal()
        let (lone, other) = (harness.addJob(1), harness.addJob(2))
        let pipeline = pipeline(journal, maxJobs: 10)
        var waiting = Self.ready(await pipeline.prepare(other))
        #expect(waiting?.ticket != nil, "prepared, with a ticket")
        let started = ContinuousClock.now
        let settling = Task { await pipeline.process(lone, firstSeen: firstSeen) }
        #expect(await eventually { (try? await journal.record(for: lone.address))?.state == .published })
        #expect(harness.settler.state.current.sent.isEmpty, "waiting for the prepared job")
        waiting = nil
        #expect(await settling.value == .finished(.settled))
        #expect(ContinuousClock.now - started < Self.longWindow, "left without waiting out the window")
        #expect(waiting == nil)
    }

    /// A batch full by the packet's size (here 2 jobs, below SETTLE_BATCH_SIZE) leaves when its last job
    /// arrives, sent by one of its own jobs; the next job leads the next batch at once, not after that
    /// transaction confirms.
    @Test func aBatchFullByItsSizeLeavesAtOnceAndTheNextJobDoesNotWaitForItsConfirmation() async throws {
        let journal = try harness.openJournal()
        let (first, second, third) = (harness.addJob(1), harness.addJob(2), harness.addJob(3))
        let pipeline = pipeline(journal, maxJobs: 10)
        harness.settler.state.withLock {
            $0.capacity = 2
            $0.hangAfterJournal = true
        }
        // Another job on its way: batches that still have room wait for it (up to the long window).
        let onItsWay = await pipeline.batcher.enterUpstream()
        let firstTwo = Task { await processAll([first, second], with: pipeline) }
        #expect(await eventually { harness.settler.state.current.sent.count == 1 }, "full at two jobs: sent")
        let last = Task { await pipeline.process(third, firstSeen: firstSeen) }
        #expect(await eventually { (try? await journal.record(for: third.address))?.state == .published })
        await pipeline.batcher.leaveUpstream(onItsWay)
        #expect(
            await eventually { harness.settler.state.current.sent.count == 2 },
            "sent while the first transaction is still confirming")
        harness.settler.state.withLock { $0.hangAfterJournal = false }
        #expect(await firstTwo.value == Array(repeating: .finished(.settled), count: 2))
        #expect(await last.value == .finished(.settled))
        let batches = harness.settler.state.current.batches
        #expect(batches.map(Set.init) == [Set([first.address, second.address]), [third.address]])
    }

    static func ready(_ result: PreparationResult) -> PreparedJob? {
        guard case .ready(let prepared) = result else { return nil }
        return prepared
    }

    /// A batch reads its jobs once, together, just before signing: a job completed elsewhere meanwhile is
    /// left out (and recorded as lost) instead of making the whole transaction fail.
    @Test func aBatchReadsItsJobsInOneCallAndLeavesOutOneCompletedElsewhere() async throws {
        let journal = try harness.openJournal()
        let jobs = (1...3).map { harness.addJob($0) }
        let pipeline = pipeline(journal, maxJobs: 3)
        harness.executor.control.hang(true)
        let running = Task { await processAll(jobs, with: pipeline) }
        #expect(await eventually { harness.executor.control.entered == 3 }, "each job read Pending before running")
        harness.chain.set(jobs[1].address, .completed(resultCID: "their-cid"))
        harness.executor.control.hang(false)
        let results = await running.value
        #expect(results.filter { $0 == .finished(.settled) }.count == 2)
        #expect(try await journal.record(for: jobs[1].address)?.state == .lostRace)
        let reads = harness.chain.state.current.stateReads
        #expect(reads.count == 1 && Set(reads.first ?? []) == Set(jobs.map(\.address)), "one read for the batch")
        #expect(harness.settler.state.current.batches.map(Set.init) == [[jobs[0].address, jobs[2].address]])
    }

    @Test func aTransactionForSeveralJobsIsJournaledAllOrNone() async throws {
        let journal = try harness.openJournal()
        let date = Date(timeIntervalSince1970: 1_000)
        let ready = TestJobs.job(1)
        let fresh = TestJobs.job(2)
        for job in [ready, fresh] { _ = try await journal.begin(job, at: date) }
        for event in [JobEvent.started, .executed(resultDocument: [1]), .published(resultCID: "cid")] {
            try await journal.apply(event, to: ready.address, at: date)
        }
        let transaction = SubmittedTransaction(
            signature: try Signature(bytes: [UInt8](repeating: 7, count: 64)), lastValidBlockHeight: 9,
            wireBytes: [1])
        // The second job cannot be submitted (nothing published): neither row changes.
        await #expect(throws: JournalError.self) {
            try await journal.apply(.submitted(transaction), toEach: [ready.address, fresh.address], at: date)
        }
        #expect(try await journal.record(for: ready.address)?.state == .published)
        #expect(try await journal.jobs(coveredBy: transaction.signature).isEmpty)
    }
}
