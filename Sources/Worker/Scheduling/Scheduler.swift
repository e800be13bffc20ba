import Foundation
import Solana

/// The shared scheduling state of a running worker (see ``Scheduler/StateMachine`` for the rules).
public actor Scheduler {
    private var machine: StateMachine

    /// Creates a scheduler.
    public init(maxConcurrent: Int, shard: WorkerShard?) {
        machine = StateMachine(maxConcurrent: maxConcurrent, shard: shard)
    }

    /// Offers a job seen pending.
    @discardableResult
    public func offer(_ job: PendingJob, at date: Date, hasProgress: Bool = false, notBefore: Date? = nil)
        -> StateMachine.OfferResult
    {
        machine.offer(job, at: date, hasProgress: hasProgress, notBefore: notBefore)
    }

    /// The job is no longer pending.
    @discardableResult
    public func withdraw(_ address: PublicKey) -> Bool { machine.withdraw(address) }

    /// Applies a full poll; returns the jobs newly accepted.
    public func reconcile(pending jobs: [PendingJob], at date: Date) -> [PendingJob] {
        machine.reconcile(pending: jobs, at: date)
    }

    /// Starts every job that may start now.
    public func startEligible(at date: Date) -> [StateMachine.Candidate] {
        var started: [StateMachine.Candidate] = []
        while let candidate = machine.next(at: date) { started.append(candidate) }
        return started
    }

    /// Records the end of a run.
    public func finish(_ address: PublicKey, _ disposition: StateMachine.Disposition) {
        machine.finish(address, disposition)
    }

    /// Lets every waiting job run now.
    public func releaseWaits() { machine.releaseWaits() }

    /// Stops taking jobs.
    public func stopAccepting() { machine.stopAccepting() }

    /// The earliest instant a waiting job becomes eligible.
    public var nextWakeup: Date? { machine.nextWakeup }

    /// No job waits or runs.
    public var isIdle: Bool { machine.isIdle }

    /// Jobs running now.
    public var runningCount: Int { machine.running.count }

    /// The addresses of the jobs waiting.
    public var waitingAddresses: Set<PublicKey> { Set(machine.waiting.keys) }
}
