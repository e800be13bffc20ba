import Foundation
import Solana
import Testing

@testable import Worker

@Suite struct SchedulerTests {
    let t0 = Date(timeIntervalSince1970: 1_000)

    @Test func oldestFirstUpToTheLimitAndNeverTwice() {
        var machine = Scheduler.StateMachine(maxConcurrent: 2, shard: nil)
        for (seed, start) in [(1, 30), (2, 10), (3, 20), (4, 5)] as [(UInt8, Int64)] {
            #expect(machine.offer(TestJobs.job(seed, startTime: start), at: t0) == .accepted)
        }
        #expect(machine.offer(TestJobs.job(4, startTime: 5), at: t0) == .known)
        #expect(machine.next(at: t0)?.job.address == TestJobs.key(4))
        #expect(machine.next(at: t0)?.job.address == TestJobs.key(2))
        #expect(machine.next(at: t0) == nil, "two running: the limit")
        #expect(machine.offer(TestJobs.job(4, startTime: 5), at: t0) == .known, "a running job is not queued again")
        machine.finish(TestJobs.key(4), .finished)
        #expect(machine.next(at: t0)?.job.address == TestJobs.key(3))
        #expect(machine.offer(TestJobs.job(4, startTime: 5), at: t0) == .finished, "terminal jobs never come back")
    }

    @Test func backoffDelaysAndWakeups() {
        var machine = Scheduler.StateMachine(maxConcurrent: 4, shard: nil)
        _ = machine.offer(TestJobs.job(1), at: t0)
        _ = machine.next(at: t0)
        machine.finish(TestJobs.key(1), .retry(at: t0.addingTimeInterval(8), hasProgress: true))
        #expect(machine.next(at: t0.addingTimeInterval(7)) == nil)
        #expect(machine.nextWakeup == t0.addingTimeInterval(8))
        #expect(machine.next(at: t0.addingTimeInterval(8))?.job.address == TestJobs.key(1))
        let backoff = Backoff(base: 2, cap: 60, jitter: 0.5)
        #expect(backoff.delay(afterAttempt: 1, random: 0) == 2)
        #expect(backoff.delay(afterAttempt: 3, random: 0) == 8)
        #expect(backoff.delay(afterAttempt: 3, random: 1) == 4)
        #expect(backoff.delay(afterAttempt: 40, random: 0) == 60)
        #expect(backoff.delay(afterAttempt: 1000, random: 0) == 60)
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
        _ = other.next(at: t0)
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
        #expect(machine.next(at: t0) == nil)
        #expect(machine.offer(TestJobs.job(2), at: t0) == .notAccepting)
    }
}
