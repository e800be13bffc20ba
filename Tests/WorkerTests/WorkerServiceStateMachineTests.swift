import Foundation
import Retry
import Solana
import Testing
import WorkerTesting

@testable import Worker

/// The run loop's rules, driven synchronously: events in, actions out, time given with each event.
@Suite struct WorkerServiceStateMachineTests {
    typealias Machine = WorkerService.StateMachine

    static let t0 = Date(timeIntervalSince1970: 1_000_000)

    static func options(maxConcurrent: Int = 2, shard: WorkerShard? = nil) -> WorkerService.Options {
        WorkerService.Options(
            maxConcurrentJobs: maxConcurrent, fetchConcurrency: 4, shard: shard, pollInterval: .seconds(2),
            shutdownGrace: .seconds(5), fundsProbeInterval: .seconds(30), minimumSettlementBalance: 5_000,
            journalProbeInterval: .seconds(10), lowBalanceLamports: 0, oncePollAttempts: 3,
            pollBackoff: Backoff(initial: .seconds(1), maximum: .seconds(30), jitter: 0.2))
    }

    /// A machine and the instant its next event is handled at.
    struct Driver {
        var machine: Machine
        var now = WorkerServiceStateMachineTests.t0

        init(once: Bool, maxConcurrent: Int = 2, shard: WorkerShard? = nil) {
            let options = WorkerServiceStateMachineTests.options(maxConcurrent: maxConcurrent, shard: shard)
            machine = Machine(options: options, once: once) { 0.5 }
        }

        /// Handles `event` and describes the actions, leaving out logs and metrics.
        mutating func send(_ event: Machine.Event) -> [String] {
            Self.describe(machine.handle(event, at: now))
        }

        /// Handles `event` and returns the actions whole.
        mutating func actions(_ event: Machine.Event) -> [Machine.Action] {
            machine.handle(event, at: now)
        }

        static func describe(_ actions: [Machine.Action]) -> [String] {
            actions.compactMap { action in
                switch action {
                case .poll: "poll"
                case .prepare(let job): "prepare \(job.title)"
                case .run(let candidate): "run \(candidate.job.title)"
                case .schedule(let event, let delay): "schedule \(name(event)) after \(delay)"
                case .probeFunds(let delay): "probe funds after \(delay)"
                case .probeJournal(let delay): "probe journal after \(delay)"
                case .resumeSettlement: "resume settlement"
                case .cancelPreparations: "cancel preparations"
                case .cancelRunning: "cancel running"
                case .stop: "stop"
                case .recordPoll, .recordBalance, .recordJournalPaused, .log: nil
                }
            }
        }

        static func name(_ event: Machine.Event) -> String {
            switch event {
            case .pollDue: "pollDue"
            case .wake: "wake"
            case .graceExpired: "graceExpired"
            default: "\(event)"
            }
        }
    }

    static func job(_ seed: UInt8) -> PendingJob { TestJobs.job(seed, startTime: Int64(seed)) }
    static let ready = PreparationResult.ready(PreparedJob(code: Array("print(1)".utf8), hasProgress: false))
    static func diskFull() -> JournalError { JournalError(kind: .diskFull, path: "/j", detail: "ENOSPC") }

    @Test func aOnceRunPollsPreparesRunsConfirmsWithAPollAndStops() {
        var driver = Driver(once: true, maxConcurrent: 1)
        #expect(driver.send(.pollDue) == ["poll"])
        #expect(driver.send(.pollDue) == [], "one poll at a time")
        #expect(driver.send(.polled(.success([Self.job(2), Self.job(1)]))) == ["prepare job-1", "prepare job-2"])
        #expect(driver.send(.prepared(Self.job(2), Self.ready)) == ["run job-2"], "the first job in hand runs")
        #expect(driver.send(.prepared(Self.job(1), Self.ready)) == [], "one execution slot")
        #expect(driver.send(.jobFinished(Self.job(2), .finished(.settled))) == ["run job-1"])
        #expect(driver.send(.jobFinished(Self.job(1), .finished(.settled))) == ["poll"], "a confirming poll")
        #expect(driver.send(.polled(.success([]))) == ["stop"])
        #expect(driver.machine.summary.settled == 2)
        #expect(driver.send(.pollDue) == [], "nothing after stop")
    }

    @Test func onlyJobsOfThisWorkersShardAreTaken() throws {
        let shard = try #require(WorkerShard(index: 1, count: 2))
        var driver = Driver(once: true, maxConcurrent: 16, shard: shard)
        let jobs = (1...12).map { Self.job(UInt8($0)) }
        _ = driver.send(.pollDue)
        let mine = jobs.filter { shard.owns($0.address) }
        #expect(!mine.isEmpty && mine.count < jobs.count)
        let prepared = driver.send(.polled(.success(jobs))).filter { $0.hasPrefix("prepare") }
        #expect(prepared == mine.prefix(4).map { "prepare \($0.title)" }, "oldest first, four fetches at a time")
        #expect(driver.machine.scheduler.waiting.keys.allSatisfy { shard.owns($0) })
    }

    /// Settling jobs are bounded by transactions in flight (32, or 8 per slot), each of up to a batch's jobs.
    @Test func theSettlingBoundScalesWithTheBatchSize() {
        func bound(slots: Int, batch: Int) -> Int {
            let options = WorkerService.Options(
                maxConcurrentJobs: slots, shard: nil, pollInterval: .seconds(2), shutdownGrace: .seconds(5),
                lowBalanceLamports: 0, settleBatchSize: batch)
            return Machine(options: options, once: false) { 0.5 }.scheduler.maxSettling
        }
        #expect(bound(slots: 2, batch: 1) == 32)
        #expect(bound(slots: 8, batch: 1) == 64)
        #expect(bound(slots: 2, batch: 10) == 320)
    }

    @Test func aOnceRunWithNothingToDoStopsAfterItsFirstPoll() {
        var driver = Driver(once: true)
        #expect(driver.send(.pollDue) == ["poll"])
        #expect(driver.send(.polled(.success([]))) == ["stop"])
        #expect(driver.machine.haltError == nil)
    }

    @Test func aOnceRunRetriesFailedPollsWithBackoffThenHalts() {
        var driver = Driver(once: true)
        let backoff = Self.options().pollBackoff
        _ = driver.send(.pollDue)
        for attempt in 1...2 {
            let delay = backoff.delay(afterAttempt: attempt, random: 0.5)
            #expect(driver.send(.polled(.failure(.init(message: "503")))) == ["schedule pollDue after \(delay)"])
            #expect(driver.send(.pollDue) == ["poll"])
        }
        #expect(driver.send(.polled(.failure(.init(message: "503")))) == ["stop"])
        guard case .pollFailed(let attempts, let lastError) = driver.machine.haltError else {
            Issue.record("halted with \(String(describing: driver.machine.haltError))")
            return
        }
        #expect(attempts == 3 && lastError == "503")
    }

    @Test func aContinuousRunLeavesFailedPollsToItsInterval() {
        var driver = Driver(once: false)
        _ = driver.send(.pollDue)
        let actions = driver.actions(.polled(.failure(.init(message: "timeout"))))
        #expect(Driver.describe(actions) == [])
        #expect(actions.contains { if case .recordPoll(succeeded: false) = $0 { true } else { false } })
        #expect(driver.send(.pollDue) == ["poll"])
    }

    @Test func subscriptionUpdatesOfferWithdrawAndPollOnResubscribe() {
        var driver = Driver(once: false, maxConcurrent: 1)
        #expect(driver.send(.update(.pending(Self.job(1)))) == ["prepare job-1"])
        #expect(driver.send(.update(.pending(Self.job(1)))) == [], "known")
        #expect(driver.send(.prepared(Self.job(1), Self.ready)) == ["run job-1"])
        #expect(driver.send(.update(.pending(Self.job(2)))) == ["prepare job-2"])
        #expect(driver.send(.prepared(Self.job(2), Self.ready)) == [])
        _ = driver.send(.update(.notPending(Self.job(2).address)))
        #expect(driver.send(.jobFinished(Self.job(1), .finished(.settled))) == [], "the withdrawn ready job is gone")
        #expect(driver.send(.update(.resubscribed)) == ["poll"])
    }

    @Test func shutdownCancelsPreparationsGivesRunningJobsTheirGraceThenCancelsThem() {
        var driver = Driver(once: false, maxConcurrent: 1)
        _ = driver.send(.update(.pending(Self.job(1))))
        _ = driver.send(.prepared(Self.job(1), Self.ready))
        _ = driver.send(.update(.pending(Self.job(2))))
        #expect(driver.send(.shutdown) == ["cancel preparations", "schedule graceExpired after 5.0 seconds"])
        #expect(driver.send(.shutdown) == [], "once")
        #expect(driver.send(.update(.pending(Self.job(3)))) == [], "no new job")
        #expect(driver.send(.pollDue) == [], "no polls")
        #expect(driver.send(.prepared(Self.job(2), Self.ready)) == [], "still running job-1")
        #expect(driver.send(.graceExpired) == ["cancel running"])
        #expect(driver.send(.jobFinished(Self.job(1), .interrupted)) == ["stop"])
        #expect(driver.machine.summary.shutDown)
    }

    @Test func aJobInBackoffWakesTheLoopWhenItIsDue() {
        var driver = Driver(once: false)
        _ = driver.send(.update(.pending(Self.job(1))))
        let retryAt = Self.t0.addingTimeInterval(5)
        #expect(
            driver.send(.prepared(Self.job(1), .ended(.retry(at: retryAt, hasProgress: false))))
                == ["schedule wake after 5.001 seconds"])
        #expect(driver.machine.summary.retries == 1)
        driver.now = retryAt.addingTimeInterval(-1)
        #expect(driver.send(.update(.pending(Self.job(1)))) == [], "still in backoff, and its timer is armed")
        driver.now = retryAt
        #expect(driver.send(.wake) == ["prepare job-1"])
    }

    @Test func lackOfFundsProbesTheBalanceUntilSettlementCanResume() {
        var driver = Driver(once: false)
        for seed: UInt8 in 1...2 {
            _ = driver.send(.update(.pending(Self.job(seed))))
            _ = driver.send(.prepared(Self.job(seed), Self.ready))
        }
        #expect(
            driver.send(.jobFinished(Self.job(1), .awaitingFunds))
                == ["schedule wake after 30.001 seconds", "probe funds after 30.0 seconds"])
        #expect(driver.send(.jobFinished(Self.job(2), .awaitingFunds)) == [], "one probe in flight, one timer")
        let low = driver.actions(.funds(4_999))
        #expect(Driver.describe(low) == ["probe funds after 30.0 seconds"])
        #expect(low.contains { if case .recordBalance(4_999) = $0 { true } else { false } })
        #expect(driver.send(.funds(nil)) == ["probe funds after 30.0 seconds"], "an unreadable balance: probe again")
        #expect(
            driver.send(.funds(5_000)) == ["resume settlement", "prepare job-1", "prepare job-2"],
            "released from their wait at once")
        #expect(driver.machine.awaitingFunds.isEmpty)
    }

    @Test func aOnceRunStopsWhenOnlyJobsWaitingForFundsAreLeft() {
        var driver = Driver(once: true)
        _ = driver.send(.pollDue)
        _ = driver.send(.polled(.success([Self.job(1)])))
        _ = driver.send(.prepared(Self.job(1), Self.ready))
        #expect(driver.send(.jobFinished(Self.job(1), .awaitingFunds)).contains("probe funds after 30.0 seconds"))
        #expect(driver.send(.funds(10)).last == "stop", "a probe found no funds")
        #expect(driver.machine.summary.awaitingFunds == 1)
    }

    @Test func aFullDiskPausesTakingJobsUntilAProbeFindsRoom() {
        var driver = Driver(once: false, maxConcurrent: 1)
        _ = driver.send(.update(.pending(Self.job(1))))
        _ = driver.send(.prepared(Self.job(1), Self.ready))
        let paused = driver.actions(.jobFinished(Self.job(1), .journalFailure(Self.diskFull())))
        #expect(Driver.describe(paused) == ["cancel preparations", "probe journal after 10.0 seconds"])
        #expect(paused.contains { if case .recordJournalPaused(true) = $0 { true } else { false } })
        #expect(paused.contains { if case .log(.critical, _, _) = $0 { true } else { false } })
        #expect(driver.machine.journalPaused)
        #expect(driver.send(.update(.pending(Self.job(2)))) == [], "no job taken while paused")
        #expect(driver.send(.journalProbed(writable: false)) == ["probe journal after 10.0 seconds"])
        #expect(driver.send(.journalProbed(writable: true)) == ["prepare job-1", "prepare job-2"])
        #expect(!driver.machine.journalPaused)
    }

    @Test func aFullDiskEndsAOnceRunAsAJournalFailure() {
        var driver = Driver(once: true)
        _ = driver.send(.pollDue)
        _ = driver.send(.polled(.success([Self.job(1)])))
        _ = driver.send(.prepared(Self.job(1), Self.ready))
        #expect(
            driver.send(.jobFinished(Self.job(1), .journalFailure(Self.diskFull())))
                == ["cancel preparations", "stop"])
        guard case .journal(let error) = driver.machine.haltError else {
            Issue.record("halted with \(String(describing: driver.machine.haltError))")
            return
        }
        #expect(error.kind == .diskFull)
    }

    @Test func anyOtherJournalFailureStopsTakingJobsAndHaltsOnceNothingIsActive() {
        var driver = Driver(once: false)
        for seed: UInt8 in 1...2 {
            _ = driver.send(.update(.pending(Self.job(seed))))
            _ = driver.send(.prepared(Self.job(seed), Self.ready))
        }
        let corrupt = JournalError(kind: .corrupt, path: "/j", detail: "malformed")
        #expect(driver.send(.jobFinished(Self.job(1), .journalFailure(corrupt))) == ["cancel preparations"])
        #expect(driver.send(.pollDue) == [], "no polls after a halt")
        #expect(driver.send(.update(.pending(Self.job(3)))) == [])
        #expect(driver.send(.jobFinished(Self.job(2), .finished(.settled))) == ["stop"])
        #expect(driver.machine.haltError != nil)
    }

    @Test func jobsResumedFromTheJournalKeepTheirProgressAndBackoff() {
        var driver = Driver(once: true)
        let later = Self.t0.addingTimeInterval(60)
        for (seed, state, notBefore) in [(1, JobState.published, nil), (2, .discovered, later)]
            as [(UInt8, JobState, Date?)]
        {
            let actions = driver.machine.resume(
                UnfinishedJob(job: Self.job(seed), state: state, attempts: 0, nextAttemptAt: notBefore), at: Self.t0)
            #expect(
                actions.contains { if case .log(.info, "resuming from the journal", _) = $0 { true } else { false } })
        }
        // The first wakeup: job-1's preparation moves to the slow lane after 250 ms while job-2 waits.
        #expect(driver.send(.pollDue) == ["poll", "prepare job-1", "schedule wake after 0.251 seconds"])
        _ = driver.send(.prepared(Self.job(1), Self.ready))
        #expect(driver.send(.polled(.success([]))) == [], "job-1 has progress: not withdrawn by a poll")
        #expect(driver.machine.scheduler.running[Self.job(1).address] != nil)
        #expect(driver.machine.scheduler.waiting[Self.job(2).address] == nil, "job-2 had none: withdrawn")
    }
}
