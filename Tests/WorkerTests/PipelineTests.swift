import Foundation
import Solana
import Testing
import WorkerTesting

@testable import Worker

@Suite struct PipelineTests {
    let harness = Harness()
    let firstSeen = Date()

    func run(_ job: PendingJob, journal: Journal, gate: SettlementGate = SettlementGate()) async -> JobRunResult {
        await harness.pipeline(journal: journal, gate: gate).process(job, firstSeen: firstSeen)
    }

    @Test func settlesAndPublishesTheDocument() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1, code: "print('hi')")
        #expect(await run(job, journal: journal) == .finished(.settled))
        let record = try #require(try await journal.record(for: job.address))
        let cid = try #require(record.resultCID)
        #expect(harness.chain.status(job.address) == .completed(resultCID: cid))
        let published = try #require(harness.publisher.store.withLock { $0[cid] })
        #expect(published == record.resultDocument)
        #expect(
            String(decoding: published, as: UTF8.self).hasPrefix(
                #"{"stdout": "print('hi')", "stderr": "", "returncode": 0, "executed_at": ""#))
        #expect(record.settledSlot == 42)
        #expect(harness.lines.current.contains { $0.contains("[job=\(job.address) title=job-1] settled") })
    }

    @Test func notPendingAtStartIsDroppedWithoutARecord() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        harness.chain.set(job.address, .cancelled)
        #expect(await run(job, journal: journal) == .dropped)
        #expect(try await journal.record(for: job.address) == nil)
        #expect(harness.fetcher.control.entered == 0)
    }

    @Test func settlementOutcomesAreRecorded() async throws {
        let cases: [(SettlementOutcome, JobState, String)] = [
            (.lostRace, .lostRace, "6003"), (.cancelled, .cancelled, "6004"), (.resultDoesNotFit, .failed, "3004"),
        ]
        for (index, (outcome, state, code)) in cases.enumerated() {
            let journal = try harness.openJournal()
            let job = harness.addJob(UInt8(10 + index))
            harness.settler.state.withLock { $0.scripted = [outcome] }
            #expect(await run(job, journal: journal) == .finished(state))
            #expect(try await journal.record(for: job.address)?.outcomeReason?.contains(code) == true)
        }
    }

    @Test func completedOrCancelledBeforeSettlingIsRecordedWithoutSending() async throws {
        let journal = try harness.openJournal()
        let lost = harness.addJob(1)
        let cancelled = harness.addJob(2)
        for job in [lost, cancelled] {
            _ = try await journal.begin(job, at: Date())
            try await journal.apply(.executed(resultDocument: [1]), to: job.address, at: Date())
            try await journal.apply(.published(resultCID: "QmMine"), to: job.address, at: Date())
        }
        harness.chain.set(lost.address, .completed(resultCID: "QmTheirs"))
        harness.chain.set(cancelled.address, .cancelled)
        #expect(await run(lost, journal: journal) == .finished(.lostRace))
        #expect(await run(cancelled, journal: journal) == .finished(.cancelled))
        #expect(harness.settler.control.entered == 0)
        #expect(harness.publisher.control.entered == 0)
    }

    @Test func aResultThatCannotFitFailsBeforePublishing() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(
            1, title: String(repeating: "t", count: 32), codeCID: String(repeating: "c", count: 100))
        harness.publisher.cidPrefix.withLock { $0 = String(repeating: "b", count: 56) }
        #expect(await run(job, journal: journal) == .finished(.failed))
        let reason = try #require(try await journal.record(for: job.address)?.outcomeReason)
        #expect(reason.contains("title 32 + code CID 100 + result CID") && reason.contains("> 228"))
        #expect(harness.publisher.control.entered == 0)
        #expect(harness.settler.control.entered == 0)
    }

    @Test func invalidInputIsAnsweredWithAnErrorDocument() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        harness.fetcher.code.withLock { $0[job.codeCID] = nil }
        #expect(await run(job, journal: journal) == .finished(.settled))
        #expect(harness.executor.control.entered == 0)
        let document = try #require(try await journal.record(for: job.address)?.resultDocument)
        let text = String(decoding: document, as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"stdout": "", "stderr": "CloudMesh worker: the job was not run: the code CID QmCode1 cannot be parsed\n", "returncode": -1"#
            ))
        #expect(text.contains(#""error": "the code CID QmCode1 cannot be parsed""#))
    }

    @Test func transientFailuresBackOffAndRetry() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        harness.fetcher.control.fail(.transient("gateway 502"))
        let result = await run(job, journal: journal)
        guard case .retry(_, let hasProgress) = result else {
            Issue.record("expected a retry, got \(result)")
            return
        }
        #expect(hasProgress)
        let record = try #require(try await journal.record(for: job.address))
        #expect(record.attempts == 1)
        #expect(record.lastError == "fetch: gateway 502")
        #expect(record.nextAttemptAt != nil)
        #expect(await run(job, journal: journal) == .finished(.settled))
        #expect(harness.executor.control.calls == 1)
    }

    @Test func aMismatchedCIDIsNotRecorded() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        harness.publisher.wrongCID.withLock { $0 = true }
        guard case .retry = await run(job, journal: journal) else {
            Issue.record("expected a retry")
            return
        }
        #expect(try await journal.record(for: job.address)?.state == .executed)
    }

    @Test func anExpiredBlockhashIsSignedAgainWithTheSameCID() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        harness.settler.state.withLock { $0.scripted = [.expired] }
        #expect(await run(job, journal: journal) == .finished(.settled))
        let sent = harness.settler.state.current.sent
        #expect(sent.count == 2)
        #expect(harness.publisher.control.calls == 1)
        #expect(harness.executor.control.calls == 1)
        let events = try await journal.transitions(for: job.address).map(\.event)
        #expect(events.suffix(4) == ["submitted", "expired", "submitted", "settled"])
    }

    @Test func insufficientFundsPausesSettlementAndKeepsTheResult() async throws {
        let journal = try harness.openJournal()
        let gate = SettlementGate()
        let job = harness.addJob(1)
        let other = harness.addJob(2)
        harness.settler.state.withLock { $0.beforeSend = [.insufficientFunds] }
        #expect(await run(job, journal: journal, gate: gate) == .awaitingFunds)
        #expect(await gate.isPaused)
        #expect(try await journal.record(for: job.address)?.state == .published)
        #expect(await run(other, journal: journal, gate: gate) == .awaitingFunds, "paused for every job")
        #expect(harness.settler.control.entered == 1)
        await gate.resume()
        #expect(await run(job, journal: journal, gate: gate) == .finished(.settled))
        #expect(harness.executor.control.calls == 2)
        #expect(harness.publisher.control.calls == 2)
    }
}
