import Foundation
import Solana

extension Scheduler {
    /// The scheduling decisions, without I/O or clocks: which job runs next, which waits, which is dropped.
    ///
    /// Rules: at most `maxConcurrent` jobs run at once; the oldest eligible job (by `startTime`, then address)
    /// runs first; only jobs of this worker's shard are accepted; a job never runs twice at the same time; a
    /// job in backoff waits for its `notBefore`; a finished (terminal) job is never scheduled again; a job
    /// reported no longer pending is dropped unless the journal holds progress for it (then it runs once
    /// more so its recorded state is resolved: a submitted transaction followed, a lost race recorded).
    public struct StateMachine: Sendable {
        /// A job known to the scheduler.
        public struct Candidate: Sendable, Hashable {
            /// The job.
            public var job: PendingJob
            /// When this worker first saw it (pickup latency starts here).
            public var firstSeen: Date
            /// Not to run before this instant.
            public var notBefore: Date?
            /// The journal holds progress for it: never dropped when it stops being pending.
            public var hasProgress: Bool
            /// It was reported no longer pending while it ran.
            var withdrawn = false
        }

        /// What to do with a job that finished a run.
        public enum Disposition: Sendable, Hashable {
            /// Done for good (terminal in the journal): never schedule again.
            case finished
            /// Not ours to do any more (not pending, nothing recorded): forget, may be offered again.
            case dropped
            /// Try again at this instant.
            case retry(at: Date, hasProgress: Bool)
        }

        /// What happened to an offered job.
        public enum OfferResult: Sendable, Hashable {
            /// Queued.
            case accepted
            /// Already queued or running.
            case known
            /// Belongs to another worker's shard.
            case otherShard
            /// Already finished by this worker.
            case finished
            /// The scheduler is shutting down.
            case notAccepting
        }

        /// Jobs run at once.
        public let maxConcurrent: Int
        /// This worker's shard.
        public let shard: WorkerShard?
        /// Jobs waiting to run.
        public private(set) var waiting: [PublicKey: Candidate] = [:]
        /// Jobs running.
        public private(set) var running: [PublicKey: Candidate] = [:]
        /// Jobs finished for good.
        public private(set) var finished: Set<PublicKey> = []
        /// Whether new jobs are taken.
        public private(set) var isAccepting = true

        /// Creates an empty scheduler.
        public init(maxConcurrent: Int, shard: WorkerShard?) {
            self.maxConcurrent = max(1, maxConcurrent)
            self.shard = shard
        }

        /// Offers a job seen pending (by a poll, a subscription or the journal).
        public mutating func offer(
            _ job: PendingJob, at date: Date, hasProgress: Bool = false, notBefore: Date? = nil
        ) -> OfferResult {
            guard isAccepting else { return .notAccepting }
            guard shard?.owns(job.address) ?? true else { return .otherShard }
            guard !finished.contains(job.address) else { return .finished }
            if running[job.address] != nil { return .known }
            if var candidate = waiting[job.address] {
                candidate.hasProgress = candidate.hasProgress || hasProgress
                waiting[job.address] = candidate
                return .known
            }
            waiting[job.address] = Candidate(job: job, firstSeen: date, notBefore: notBefore, hasProgress: hasProgress)
            return .accepted
        }

        /// The job is no longer pending on-chain; returns whether it was forgotten.
        @discardableResult
        public mutating func withdraw(_ address: PublicKey) -> Bool {
            if running[address] != nil {
                running[address]?.withdrawn = true
                return false
            }
            guard let candidate = waiting[address], !candidate.hasProgress else { return false }
            waiting[address] = nil
            return true
        }

        /// Applies a full poll: offers every pending job and withdraws the waiting ones missing from it.
        /// Returns the jobs newly accepted.
        public mutating func reconcile(pending jobs: [PendingJob], at date: Date) -> [PendingJob] {
            let present = Set(jobs.map(\.address))
            for address in waiting.keys where !present.contains(address) { withdraw(address) }
            return jobs.filter { offer($0, at: date) == .accepted }
        }

        /// Starts the next job, if a slot is free and a job is eligible: the oldest by start time.
        public mutating func next(at date: Date) -> Candidate? {
            guard isAccepting, running.count < maxConcurrent else { return nil }
            let eligible = waiting.values.filter { ($0.notBefore ?? .distantPast) <= date }
            guard
                let chosen = eligible.min(by: {
                    ($0.job.startTime, $0.job.address) < ($1.job.startTime, $1.job.address)
                })
            else { return nil }
            waiting[chosen.job.address] = nil
            running[chosen.job.address] = chosen
            return chosen
        }

        /// Records the end of a run.
        public mutating func finish(_ address: PublicKey, _ disposition: Disposition) {
            guard var candidate = running.removeValue(forKey: address) else { return }
            switch disposition {
            case .finished:
                finished.insert(address)
            case .dropped:
                break
            case .retry(let date, let hasProgress):
                candidate.hasProgress = hasProgress
                guard !candidate.withdrawn || hasProgress else { return }
                candidate.withdrawn = false
                candidate.notBefore = date
                waiting[address] = candidate
            }
        }

        /// Lets every waiting job run now (used when settlement resumes after funding).
        public mutating func releaseWaits() {
            for address in waiting.keys { waiting[address]?.notBefore = nil }
        }

        /// Stops taking jobs: nothing new starts; running jobs finish.
        public mutating func stopAccepting() {
            isAccepting = false
        }

        /// The earliest instant a waiting job becomes eligible, if any waits.
        public var nextWakeup: Date? { waiting.values.compactMap(\.notBefore).min() }

        /// No job waits or runs.
        public var isIdle: Bool { waiting.isEmpty && running.isEmpty }
    }
}
