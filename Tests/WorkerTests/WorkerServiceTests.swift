import Foundation
import Retry
import Solana
import Testing
import WorkerTesting

@testable import Worker

@Suite struct WorkerServiceTests {
    let harness = Harness()

    @Test func runOnceSettlesEverythingAndReturns() async throws {
        let journal = try harness.openJournal()
        let jobs = (1...6).map { harness.addJob(UInt8($0)) }
        let summary = try await harness.service(journal: journal, maxConcurrent: 3).run(once: true)
        #expect(summary.settled == 6)
        for job in jobs { #expect(try await journal.record(for: job.address)?.state == .settled) }
        #expect(harness.executor.control.calls == 6)
        #expect(harness.executor.control.maxActive <= 3)
        #expect(harness.chain.state.current.polls >= 2, "a confirming poll before returning")
        let again = try await harness.service(journal: journal).run(once: true)
        #expect(again.settled == 0)
        #expect(harness.executor.control.calls == 6)
    }

    @Test func oldestFirstOneAtATime() async throws {
        let journal = try harness.openJournal()
        for (seed, start) in [(1, 300), (2, 100), (3, 200)] as [(UInt8, Int64)] {
            harness.addJob(seed, code: "job \(seed)", startTime: start)
        }
        // Oldest first among jobs whose code is in hand; one fetch at a time makes that the seed's strict order.
        _ = try await harness.service(journal: journal, maxConcurrent: 1, fetchConcurrency: 1).run(once: true)
        let order = harness.publisher.store.current.values.compactMap { bytes -> (String, String)? in
            let text = String(decoding: bytes, as: UTF8.self)
            guard let start = text.range(of: #""stdout": ""#), let end = text.range(of: #"", "stderr""#) else {
                return nil
            }
            let executedAt =
                text.range(of: #""executed_at": ""#).map { String(text[$0.upperBound...].prefix(32)) } ?? ""
            return (executedAt, String(text[start.upperBound..<end.lowerBound]))
        }.sorted { $0.0 < $1.0 }.map(\.1)
        #expect(order == ["job 2", "job 3", "job 1"])
    }

    @Test func transientFailuresAreRetriedUntilSettled() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        harness.fetcher.control.fail(.transient("gateway 502"), .transient("gateway timeout"))
        harness.chain.state.withLock { $0.pollFaults = 1 }
        let summary = try await harness.service(journal: journal).run(once: true)
        #expect(summary.settled == 1)
        #expect(summary.retries == 2)
        #expect(harness.executor.control.calls == 1)
        let events = try await journal.transitions(for: job.address).map(\.event)
        #expect(events.filter { $0 == "transient_failure" }.count == 2)
    }

    @Test func subscriptionPushesAndResubscribePolls() async throws {
        let journal = try harness.openJournal()
        let service = harness.service(journal: journal, pollInterval: .seconds(3600))
        let run = Task { try await service.run(once: false) }
        let pushed = harness.addJob(1)
        harness.source.updates.yield(.pending(pushed))
        #expect(await eventually { harness.chain.status(pushed.address) != .pending })
        let missed = harness.addJob(2)
        harness.source.updates.yield(.resubscribed)
        #expect(await eventually { harness.chain.status(missed.address) != .pending })
        service.shutdown()
        let summary = try await run.value
        #expect(summary.settled == 2)
        #expect(summary.shutDown)
    }

    @Test func gracefulShutdownLetsRunningJobsFinish() async throws {
        let journal = try harness.openJournal()
        let job = harness.addJob(1)
        harness.executor.control.hang(true)
        let service = harness.service(journal: journal, grace: .seconds(30))
        let run = Task { try await service.run(once: false) }
        #expect(await eventually { harness.executor.control.entered == 1 })
        service.shutdown()
        harness.addJob(2)
        harness.executor.control.hang(false)
        let summary = try await run.value
        #expect(summary.settled == 1)
        #expect(harness.chain.status(job.address) != .pending)
        #expect(harness.executor.control.entered == 1, "no job started after shutdown")
    }

    @Test func fundsPauseSettlementUntilTheWorkerIsFunded() async throws {
        let journal = try harness.openJournal()
        let gate = SettlementGate()
        let health = HealthState(journal: journal, gate: gate, maxPollAge: 60)
        harness.addJob(1)
        harness.addJob(2)
        harness.settler.state.withLock {
            $0.beforeSend = [.insufficientFunds]
            $0.balance = 0
        }
        // The probe's 30 s pass on a manual clock, at once and only when the test says so.
        let clock = ManualClock()
        let interval = Duration.seconds(30)
        let service = harness.service(
            journal: journal, pollInterval: .seconds(3600), health: health, gate: gate, fundsProbeInterval: interval,
            clock: clock)
        let run = Task { try await service.run(once: false) }
        #expect(await eventually { await gate.isPaused })
        #expect(await eventually { (try? await journal.unfinished())?.filter { $0.state == .published }.count == 2 })
        #expect(await !health.report().isHealthy)
        let probeAt = clock.now.addingTimeInterval(interval.inSeconds)
        #expect(await eventually { clock.deadlines.contains(probeAt) }, "a balance probe armed for 30 s on")
        clock.advance(by: interval)
        #expect(await eventually { clock.deadlines.contains(probeAt.addingTimeInterval(interval.inSeconds)) })
        #expect(await gate.isPaused, "still unfunded: probed again 30 s later")
        harness.settler.state.withLock { $0.balance = 5_000_000_000 }
        clock.advance(by: interval)
        #expect(await eventually { (try? await journal.unfinished())?.isEmpty == true })
        #expect(await !gate.isPaused)
        service.shutdown()
        #expect(try await run.value.settled == 2)
        #expect(harness.executor.control.calls == 2)
    }

    @Test func aOnceRunStopsWhenOnlyUnfundedWorkIsLeft() async throws {
        let journal = try harness.openJournal()
        harness.addJob(1)
        harness.settler.state.withLock {
            $0.beforeSend = [.insufficientFunds]
            $0.balance = 0
        }
        let summary = try await harness.service(journal: journal).run(once: true)
        #expect(summary.awaitingFunds == 1)
        #expect(try await journal.unfinished().first?.state == .published)
    }

    @Test func aJournalFailureStopsTakingJobs() async throws {
        let journal = try harness.openJournal()
        harness.addJob(1)
        harness.addJob(2)
        harness.executor.control.hang(true)
        let service = harness.service(journal: journal, maxConcurrent: 1)
        let run = Task { try await service.run(once: false) }
        #expect(await eventually { harness.executor.control.entered == 1 })
        try journal.close()
        harness.executor.control.hang(false)
        await #expect(throws: WorkerService.RunError.self) { try await run.value }
        #expect(harness.executor.control.entered == 1)
        #expect(harness.lines.current.contains { $0.contains("critical") && $0.contains("journal") })
    }
}

/// Kill-and-restart at each stage: the second run resumes from the journal.
@Suite struct CrashRecoveryTests {
    enum Stage: CaseIterable {
        case afterFetch, afterExecution, afterPublish, afterSend
    }

    @Test(arguments: Stage.allCases) func resumesWithoutRepeatingRecordedWork(stage: Stage) async throws {
        let harness = Harness()
        let job = harness.addJob(1)
        switch stage {
        case .afterFetch: harness.executor.control.hang(true)
        case .afterExecution: harness.publisher.control.hang(true)
        case .afterPublish: harness.settler.control.hang(true)
        case .afterSend: harness.settler.state.withLock { $0.hangAfterJournal = true }
        }
        // First process: killed (grace 0 → cancelled) while held in the stage.
        var journal = try harness.openJournal()
        let first = harness.service(journal: journal, grace: .zero)
        let run = Task { try await first.run(once: false) }
        #expect(
            await eventually {
                switch stage {
                case .afterFetch: harness.executor.control.entered == 1
                case .afterExecution: harness.publisher.control.entered == 1
                case .afterPublish: harness.settler.control.entered == 1
                case .afterSend: harness.settler.state.current.sent.count == 1
                }
            })
        first.shutdown()
        _ = try await run.value
        let recorded = try #require(try await journal.record(for: job.address))
        let expectedState: JobState =
            switch stage {
            case .afterFetch: .running
            case .afterExecution: .executed
            case .afterPublish: .published
            case .afterSend: .submitted
            }
        #expect(recorded.state == expectedState)
        try journal.close()

        // Second process: fresh service, journal reopened from disk, stages released.
        harness.executor.control.hang(false)
        harness.publisher.control.hang(false)
        harness.settler.control.hang(false)
        harness.settler.state.withLock { $0.hangAfterJournal = false }
        let executionsBefore = harness.executor.control.calls
        let publishesBefore = harness.publisher.control.calls
        let sendsBefore = harness.settler.state.current.sent.count
        journal = try harness.openJournal()
        let summary = try await harness.service(journal: journal).run(once: true)
        #expect(summary.settled == 1)
        let final = try #require(try await journal.record(for: job.address))
        #expect(final.state == .settled)
        let executions = harness.executor.control.calls - executionsBefore
        let publishes = harness.publisher.control.calls - publishesBefore
        let sends = harness.settler.state.current.sent.count - sendsBefore
        switch stage {
        case .afterFetch:
            #expect(executions == 1)
        case .afterExecution:
            #expect(executions == 0, "a recorded result is never executed again")
            #expect(final.resultDocument == recorded.resultDocument)
        case .afterPublish:
            #expect(executions == 0)
            #expect(publishes == 0, "a recorded CID is never published again")
            #expect(final.resultCID == recorded.resultCID)
        case .afterSend:
            #expect(executions == 0)
            #expect(publishes == 0)
            #expect(sends == 0, "no second complete_job while the first can land")
            #expect(harness.settler.state.current.resumed == [recorded.submission?.signature].compactMap { $0 })
        }
    }
}
