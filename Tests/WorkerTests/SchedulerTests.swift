import Foundation
import Solana
import Testing
import WorkerTesting

@testable import Worker

@Suite struct SchedulerTests {
    let t0 = Date(timeIntervalSince1970: 1_000)

    @Test func oldestFirstUpToTheLimitAndNeverTwice() {
        var machine = Scheduler.StateMachine(maxConcurrent: 2, shard: nil)
        for (seed, start) in [(1, 30), (2, 10), (3, 20), (4, 5)] as [(UInt8, Int64)] {
            #expect(machine.offer(TestJobs.job(seed, startTime: start), at: t0) == .accepted)
        }
        #expect(machine.offer(TestJobs.job(4, startTime: 5), at: t0) == .known)
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(4))
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(2))
        #expect(machine.prepareAllAndStart(at: t0) == nil, "two running: the limit")
        #expect(machine.offer(TestJobs.job(4, startTime: 5), at: t0) == .known, "a running job is not queued again")
        machine.finish(TestJobs.key(4), .finished)
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(3))
        #expect(machine.offer(TestJobs.job(4, startTime: 5), at: t0) == .finished, "terminal jobs never come back")
    }

    @Test func aSettlingJobFreesItsExecutionSlotUpToTheSettlementBound() {
        var machine = Scheduler.StateMachine(maxConcurrent: 1, shard: nil, maxSettling: 2)
        for seed in 1...4 as ClosedRange<UInt8> {
            _ = machine.offer(TestJobs.job(seed, startTime: Int64(seed)), at: t0)
        }
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(1))
        #expect(machine.prepareAllAndStart(at: t0) == nil, "one execution slot")
        machine.mark(TestJobs.key(1), .settling)
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(2), "settling frees the slot")
        #expect(machine.offer(TestJobs.job(1, startTime: 1), at: t0) == .known, "still never twice at once")
        machine.mark(TestJobs.key(2), .settling)
        #expect(machine.prepareAllAndStart(at: t0) == nil, "two settlements in flight: the bound")
        machine.finish(TestJobs.key(1), .finished)
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(3))
        machine.finish(TestJobs.key(3), .retry(at: t0, hasProgress: true))
        #expect(
            machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(3),
            "a retried job needs an execution slot again")
        #expect(machine.running[TestJobs.key(3)]?.phase == .executing)
    }

    /// A publishing job frees its execution slot but still holds its result document: executing and publishing
    /// jobs together stay within twice the slots, so a slow publisher holds execution back.
    @Test func publishingJobsFreeTheirSlotsWithinTwiceTheSlots() {
        var machine = Scheduler.StateMachine(maxConcurrent: 2, shard: nil)
        for seed in 1...6 as ClosedRange<UInt8> {
            _ = machine.offer(TestJobs.job(seed, startTime: Int64(seed)), at: t0)
        }
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(1))
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(2))
        #expect(machine.prepareAllAndStart(at: t0) == nil, "two execution slots")
        machine.mark(TestJobs.key(1), .publishing)
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(3), "publishing frees the slot")
        machine.mark(TestJobs.key(2), .publishing)
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(4))
        machine.mark(TestJobs.key(3), .publishing)
        #expect(machine.prepareAllAndStart(at: t0) == nil, "three publishing and one executing: four documents held")
        machine.mark(TestJobs.key(1), .settling)
        #expect(machine.prepareAllAndStart(at: t0)?.job.address == TestJobs.key(5), "a settling job holds no document")
        #expect(machine.prepareAllAndStart(at: t0) == nil, "both slots executing")
    }

    @Test func retryTimesAndWakeups() {
        var machine = Scheduler.StateMachine(maxConcurrent: 4, shard: nil)
        _ = machine.offer(TestJobs.job(1), at: t0)
        _ = machine.prepareAllAndStart(at: t0)
        machine.finish(TestJobs.key(1), .retry(at: t0.addingTimeInterval(8), hasProgress: true))
        #expect(machine.prepareAllAndStart(at: t0.addingTimeInterval(7)) == nil)
        #expect(machine.nextWakeup(after: t0) == t0.addingTimeInterval(8))
        #expect(machine.prepareAllAndStart(at: t0.addingTimeInterval(8))?.job.address == TestJobs.key(1))
    }

    @Test func withdrawnJobsAreDroppedUnlessTheJournalHasProgress() {
        var machine = Scheduler.StateMachine(maxConcurrent: 1, shard: nil)
        _ = machine.offer(TestJobs.job(1), at: t0)
        _ = machine.offer(TestJobs.job(2), at: t0, hasProgress: true)
        let dropped = machine.withdraw(TestJobs.key(1))
        let kept = !machine.withdraw(TestJobs.key(2))
        #expect(dropped)
        #expect(kept)
        #expect(machine.waiting.keys.sorted() == [TestJobs.key(2)])
        // Withdrawn while running, then a transient failure without progress: dropped.
        var other = Scheduler.StateMachine(maxConcurrent: 1, shard: nil)
        _ = other.offer(TestJobs.job(3), at: t0)
        _ = other.prepareAllAndStart(at: t0)
        other.withdraw(TestJobs.key(3))
        other.finish(TestJobs.key(3), .retry(at: t0, hasProgress: false))
        #expect(other.isIdle)
        // A poll reconciles: missing jobs withdrawn, new ones accepted.
        var polled = Scheduler.StateMachine(maxConcurrent: 1, shard: nil)
        _ = polled.offer(TestJobs.job(5), at: t0)
        let accepted = polled.reconcile(pending: [TestJobs.job(6)], at: t0)
        #expect(accepted.map(\.address) == [TestJobs.key(6)])
        #expect(polled.waiting.keys.sorted() == [TestJobs.key(6)])
    }

    @Test func shardsPartitionJobsExactly() throws {
        let shards = try (1...3).map { try #require(WorkerShard(index: $0, count: 3)) }
        var counts = [0, 0, 0]
        for seed in 0..<120 {
            let address = TestJobs.key(UInt8(seed))
            let owners = shards.filter { $0.owns(address) }
            #expect(owners.count == 1)
            counts[(owners.first?.index ?? 1) - 1] += 1
        }
        #expect(counts.allSatisfy { $0 > 20 }, "roughly even: \(counts)")
        // Golden value: sha256 of 32 zero bytes starts 66687aadf862bd77 → mod 2 = 1 → shard 2/2.
        #expect(WorkerShard.shardNumber(of: .systemProgram, count: 2) == 1)
        var machine = Scheduler.StateMachine(maxConcurrent: 1, shard: shards[0])
        let foreign = (0..<50).map { TestJobs.job(UInt8($0)) }.first { !shards[0].owns($0.address) }
        #expect(machine.offer(try #require(foreign), at: t0) == .otherShard)
    }

    @Test func stopAcceptingStartsNothingNew() {
        var machine = Scheduler.StateMachine(maxConcurrent: 2, shard: nil)
        _ = machine.offer(TestJobs.job(1), at: t0)
        machine.stopAccepting()
        #expect(machine.prepareAllAndStart(at: t0) == nil)
        #expect(machine.offer(TestJobs.job(2), at: t0) == .notAccepting)
    }

    @Test func aSlowFetchDelaysOnlyItsOwnJob() {
        var machine = Scheduler.StateMachine(maxConcurrent: 1, shard: nil, fetchConcurrency: 2)
        _ = machine.offer(TestJobs.job(1, startTime: 1), at: t0)
        _ = machine.offer(TestJobs.job(2, startTime: 2), at: t0)
        #expect(machine.nextPreparation(at: t0)?.job.address == TestJobs.key(1), "oldest first")
        #expect(machine.nextPreparation(at: t0)?.job.address == TestJobs.key(2))
        #expect(machine.next(at: t0) == nil, "nothing runs before its code is in hand")
        machine.prepared(TestJobs.key(2), PreparedJob(code: Array("print(2)".utf8), hasProgress: false))
        let started = machine.next(at: t0)
        #expect(started?.job.address == TestJobs.key(2), "the newer job runs while the older one still fetches")
        #expect(started?.prepared?.code == Array("print(2)".utf8), "with the code its preparation fetched")
        #expect(machine.running[TestJobs.key(2)]?.prepared == nil, "running jobs keep no copy of the code")
        machine.prepared(TestJobs.key(1), PreparedJob(code: [], hasProgress: false))
        #expect(machine.next(at: t0) == nil, "one execution slot")
        machine.finish(TestJobs.key(2), .finished)
        #expect(machine.next(at: t0)?.job.address == TestJobs.key(1))
    }

    @Test func heldFetchesMoveToTheSlowLaneAndNewJobsStillFetch() {
        var machine = Scheduler.StateMachine(
            maxConcurrent: 1, shard: nil, fetchConcurrency: 2, slowPreparationAfter: 1)
        for seed in 1...6 as ClosedRange<UInt8> {
            _ = machine.offer(TestJobs.job(seed, startTime: Int64(seed)), at: t0)
        }
        #expect(machine.nextPreparation(at: t0) != nil)
        #expect(machine.nextPreparation(at: t0) != nil)
        #expect(machine.nextPreparation(at: t0) == nil, "the fast lane holds two")
        #expect(machine.nextWakeup(after: t0) == t0.addingTimeInterval(1), "woken when they turn slow")
        let later = t0.addingTimeInterval(1)
        #expect(machine.nextPreparation(at: later)?.job.address == TestJobs.key(3), "held fetches no longer block")
        #expect(machine.nextPreparation(at: later)?.job.address == TestJobs.key(4))
        let muchLater = t0.addingTimeInterval(60)
        #expect(machine.nextPreparation(at: muchLater) == nil, "at most 2 × FETCH_CONCURRENCY in flight")
        #expect(machine.preparing.count == 4)
        #expect(machine.nextWakeup(after: muchLater) == nil, "no timer spins while everything is slow")
        machine.preparationEnded(TestJobs.key(1), .retry(at: muchLater.addingTimeInterval(5), hasProgress: true))
        #expect(machine.nextPreparation(at: muchLater)?.job.address == TestJobs.key(5), "a freed slot is reused")
    }

    @Test func jobsThatFailedAPreparationGoAfterFreshOnes() {
        var machine = Scheduler.StateMachine(maxConcurrent: 1, shard: nil, fetchConcurrency: 1)
        _ = machine.offer(TestJobs.job(1, startTime: 1), at: t0)
        _ = machine.nextPreparation(at: t0)
        machine.preparationEnded(TestJobs.key(1), .retry(at: t0, hasProgress: true))
        #expect(machine.waiting[TestJobs.key(1)]?.failedPreparations == 1)
        _ = machine.offer(TestJobs.job(2, startTime: 50), at: t0)
        #expect(machine.nextPreparation(at: t0)?.job.address == TestJobs.key(2), "the fresh job first")
        machine.prepared(TestJobs.key(2), PreparedJob(code: [], hasProgress: false))
        _ = machine.next(at: t0)
        machine.finish(TestJobs.key(2), .finished)
        #expect(machine.nextPreparation(at: t0)?.job.address == TestJobs.key(1), "then the retried one")
    }

    @Test func preparedCodeInMemoryIsBounded() {
        var machine = Scheduler.StateMachine(maxConcurrent: 1, shard: nil, fetchConcurrency: 2)
        for seed in 1...5 as ClosedRange<UInt8> {
            _ = machine.offer(TestJobs.job(seed, startTime: Int64(seed)), at: t0)
        }
        _ = machine.prepareAllAndStart(at: t0)
        _ = machine.prepareAllAndStart(at: t0)
        #expect(machine.running.count == 1)
        #expect(machine.ready.count == 2, "ready jobs count in the fast lane")
        #expect(machine.nextPreparation(at: t0.addingTimeInterval(3600)) == nil)
    }

    @Test func withdrawnWhilePreparingAndShutdown() {
        var machine = Scheduler.StateMachine(maxConcurrent: 1, shard: nil)
        _ = machine.offer(TestJobs.job(1), at: t0)
        _ = machine.offer(TestJobs.job(2), at: t0)
        _ = machine.nextPreparation(at: t0)
        _ = machine.nextPreparation(at: t0)
        #expect(machine.offer(TestJobs.job(1), at: t0) == .known, "never prepared twice at once")
        let forgotten = machine.withdraw(TestJobs.key(1))
        #expect(!forgotten, "kept until its preparation ends")
        machine.prepared(TestJobs.key(1), PreparedJob(code: [], hasProgress: false))
        #expect(machine.ready[TestJobs.key(1)] == nil, "withdrawn and nothing recorded: dropped")
        machine.prepared(TestJobs.key(2), PreparedJob(code: [], hasProgress: false))
        #expect(machine.activeCount == 0)
        machine.stopAccepting()
        #expect(machine.ready.isEmpty, "prepared jobs are left to the journal at shutdown")
        #expect(machine.isIdle)
    }
}

extension Scheduler.StateMachine {
    /// Prepares every job the lanes admit, as if each fetch finished at once, then starts the next job.
    mutating func prepareAllAndStart(at date: Date) -> Candidate? {
        while let candidate = nextPreparation(at: date) {
            prepared(candidate.job.address, PreparedJob(code: [], hasProgress: candidate.hasProgress))
        }
        return next(at: date)
    }
}
