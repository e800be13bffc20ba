import Foundation
import Solana

/// The worker's scheduling rules (see ``Scheduler/StateMachine``).
package enum Scheduler {}

extension Scheduler {
    /// The scheduling decisions, without I/O or clocks: which job is prepared next, which runs next, which
    /// waits, which is dropped.
    ///
    /// A job moves `waiting → preparing → ready → running (executing → publishing → settling)`:
    /// - **Preparing** reads the journal and fetches and verifies the job's code when it still has to run
    ///   (a job resumed past execution needs no code and passes straight through). Preparation has its own
    ///   bounded concurrency, `fetchConcurrency`, so a slow fetch never holds an execution slot.
    /// - **Lanes.** A preparation running for longer than `slowPreparationAfter` moves to the slow lane, which
    ///   holds up to `fetchConcurrency` more: held gateway requests cost a socket and no memory, and must not
    ///   block the fetches of newer jobs. At most `2 × fetchConcurrency` preparations and ready jobs exist
    ///   at once, so prepared code in memory is bounded too.
    /// - **Order.** Preparation starts with jobs that have not failed a preparation yet, oldest first (by
    ///   `startTime`, then address), then jobs retrying, oldest first: a job whose input keeps failing cannot
    ///   keep its lead for ever. Execution takes the oldest ready job: a slow fetch delays only its own job.
    /// - At most `maxConcurrent` jobs execute at once. A job whose result is recorded no longer holds an
    ///   execution slot while it is published, but it holds its result document: at most `2 × maxConcurrent`
    ///   jobs execute or publish at once, so a slow publisher holds execution back instead of filling memory.
    ///   A job whose complete_job is being sent or confirmed holds neither; at most `maxSettling` such jobs
    ///   are in flight.
    /// - Only jobs of this worker's shard are accepted; a job is never prepared or run twice at the same time;
    ///   a job in backoff waits for its `notBefore`; a finished (terminal) job is never scheduled again; a job
    ///   reported no longer pending is dropped unless the journal holds progress for it (then it runs once
    ///   more so its recorded state is resolved: a submitted transaction followed, a lost race recorded).
    package struct StateMachine: Sendable {
        /// A job known to the scheduler.
        package struct Candidate: Sendable, Hashable {
            /// The job.
            package var job: PendingJob
            /// When this worker first saw it (pickup latency starts here).
            package var firstSeen: Date
            /// Not to be prepared before this instant.
            package var notBefore: Date?
            /// The journal holds progress for it: never dropped when it stops being pending.
            package var hasProgress: Bool
            /// Preparations of this job that ended in a retry.
            package var failedPreparations = 0
            /// When its current preparation started.
            package var preparingSince: Date?
            /// What its preparation produced, while it waits for an execution slot.
            package var prepared: PreparedJob?
            /// It was reported no longer pending while it was prepared or run.
            var withdrawn = false
            /// Where it is while it runs: only an executing job holds an execution slot.
            package var phase = RunPhase.executing
        }

        /// What to do with a job that finished a run or a preparation.
        package enum Disposition: Sendable, Hashable {
            /// Done for good (terminal in the journal): never schedule again.
            case finished
            /// Not ours to do any more (not pending, nothing recorded): forget, may be offered again.
            case dropped
            /// Try again at this instant.
            case retry(at: Date, hasProgress: Bool)
        }

        /// What happened to an offered job.
        package enum OfferResult: Sendable, Hashable {
            /// Queued.
            case accepted
            /// Already queued, being prepared, ready or running.
            case known
            /// Belongs to another worker's shard.
            case otherShard
            /// Already finished by this worker.
            case finished
            /// The scheduler is shutting down.
            case notAccepting
        }

        /// Jobs executed at once.
        package let maxConcurrent: Int
        /// Preparations (fetches) in the fast lane, and again in the slow lane, at most.
        package let fetchConcurrency: Int
        /// Seconds after which a preparation moves to the slow lane.
        package let slowPreparationAfter: TimeInterval
        /// Jobs past execution whose settlement is in flight, at most (they hold no execution slot).
        package let maxSettling: Int
        /// This worker's shard.
        package let shard: WorkerShard?
        /// Jobs waiting to be prepared.
        package private(set) var waiting: [PublicKey: Candidate] = [:]
        /// Jobs being prepared (their code fetched and verified).
        package private(set) var preparing: [PublicKey: Candidate] = [:]
        /// Prepared jobs waiting for an execution slot.
        package private(set) var ready: [PublicKey: Candidate] = [:]
        /// Jobs running (executing, publishing or settling).
        package private(set) var running: [PublicKey: Candidate] = [:]
        /// Jobs finished for good.
        package private(set) var finished: Set<PublicKey> = []
        /// Whether new jobs are taken.
        package private(set) var isAccepting = true

        /// Creates an empty scheduler; `fetchConcurrency` defaults to 4 × `maxConcurrent`.
        package init(
            maxConcurrent: Int, shard: WorkerShard?, fetchConcurrency: Int? = nil,
            slowPreparationAfter: TimeInterval = 0.25,
            maxSettling: Int? = nil
        ) {
            self.maxConcurrent = max(1, maxConcurrent)
            self.fetchConcurrency = max(1, fetchConcurrency ?? 4 * max(1, maxConcurrent))
            self.slowPreparationAfter = max(0, slowPreparationAfter)
            self.maxSettling = max(1, maxSettling ?? max(32, 8 * maxConcurrent))
            self.shard = shard
        }

        /// Offers a job seen pending (by a poll, a subscription or the journal).
        package mutating func offer(
            _ job: PendingJob, at date: Date, hasProgress: Bool = false, notBefore: Date? = nil
        ) -> OfferResult {
            guard isAccepting else { return .notAccepting }
            guard shard?.owns(job.address) ?? true else { return .otherShard }
            guard !finished.contains(job.address) else { return .finished }
            let address = job.address
            if running[address] != nil || preparing[address] != nil || ready[address] != nil { return .known }
            if var candidate = waiting[address] {
                candidate.hasProgress = candidate.hasProgress || hasProgress
                waiting[address] = candidate
                return .known
            }
            waiting[address] = Candidate(job: job, firstSeen: date, notBefore: notBefore, hasProgress: hasProgress)
            return .accepted
        }

        /// The job is no longer pending on-chain; returns whether it was forgotten.
        @discardableResult
        package mutating func withdraw(_ address: PublicKey) -> Bool {
            if running[address] != nil {
                running[address]?.withdrawn = true
                return false
            }
            if preparing[address] != nil {
                preparing[address]?.withdrawn = true
                return false
            }
            if let candidate = ready[address] {
                guard !candidate.hasProgress else { return false }
                ready[address] = nil
                return true
            }
            guard let candidate = waiting[address], !candidate.hasProgress else { return false }
            waiting[address] = nil
            return true
        }

        /// Applies a full poll: offers every pending job and withdraws the waiting and ready ones missing from
        /// it. Returns the jobs newly accepted.
        package mutating func reconcile(pending jobs: [PendingJob], at date: Date) -> [PendingJob] {
            let present = Set(jobs.map(\.address))
            for address in Array(waiting.keys) + Array(ready.keys) where !present.contains(address) {
                withdraw(address)
            }
            return jobs.filter { offer($0, at: date) == .accepted }
        }

        // MARK: - Preparation

        /// Preparations running for less than `slowPreparationAfter` at `date`, plus the ready jobs.
        func fastLaneCount(at date: Date) -> Int {
            ready.count + preparing.values.count { !isSlow($0, at: date) }
        }

        private func isSlow(_ candidate: Candidate, at date: Date) -> Bool {
            guard let since = candidate.preparingSince else { return false }
            return date.timeIntervalSince(since) >= slowPreparationAfter
        }

        /// Starts preparing the next job, if the lanes have room and a job is eligible.
        package mutating func nextPreparation(at date: Date) -> Candidate? {
            guard isAccepting, fastLaneCount(at: date) < fetchConcurrency,
                preparing.count + ready.count < 2 * fetchConcurrency
            else { return nil }
            let eligible = waiting.values.filter { ($0.notBefore ?? .distantPast) <= date }
            guard
                var chosen = eligible.min(by: {
                    ($0.failedPreparations > 0 ? 1 : 0, $0.job.startTime, $0.job.address)
                        < ($1.failedPreparations > 0 ? 1 : 0, $1.job.startTime, $1.job.address)
                })
            else { return nil }
            waiting[chosen.job.address] = nil
            chosen.preparingSince = date
            preparing[chosen.job.address] = chosen
            return chosen
        }

        /// The job's preparation succeeded: it waits for an execution slot (or is dropped, when it was
        /// withdrawn meanwhile and nothing is recorded for it).
        package mutating func prepared(_ address: PublicKey, _ preparation: PreparedJob) {
            guard var candidate = preparing.removeValue(forKey: address) else { return }
            candidate.preparingSince = nil
            guard isAccepting, !candidate.withdrawn || preparation.hasProgress else { return }
            candidate.withdrawn = false
            candidate.hasProgress = candidate.hasProgress || preparation.hasProgress
            candidate.prepared = preparation
            ready[address] = candidate
        }

        /// The job's preparation ended without a job to run.
        package mutating func preparationEnded(_ address: PublicKey, _ disposition: Disposition) {
            guard var candidate = preparing.removeValue(forKey: address) else { return }
            candidate.preparingSince = nil
            if case .retry = disposition { candidate.failedPreparations += 1 }
            settle(candidate, disposition)
        }

        // MARK: - Execution

        /// Starts the next prepared job, if an execution slot is free: the oldest by start time.
        package mutating func next(at date: Date) -> Candidate? {
            var (executing, publishing, settling) = (0, 0, 0)
            for candidate in running.values {
                switch candidate.phase {
                case .executing: executing += 1
                case .publishing: publishing += 1
                case .settling: settling += 1
                }
            }
            guard isAccepting, executing < maxConcurrent, executing + publishing < 2 * maxConcurrent,
                settling < maxSettling
            else { return nil }
            guard
                var chosen = ready.values.min(by: {
                    ($0.job.startTime, $0.job.address) < ($1.job.startTime, $1.job.address)
                })
            else { return nil }
            ready[chosen.job.address] = nil
            let started = chosen
            chosen.prepared = nil
            running[chosen.job.address] = chosen
            return started
        }

        /// The running job moved on to `phase`: past execution, its execution slot is free.
        package mutating func mark(_ address: PublicKey, _ phase: RunPhase) {
            running[address]?.phase = phase
        }

        /// Records the end of a run.
        package mutating func finish(_ address: PublicKey, _ disposition: Disposition) {
            guard var candidate = running.removeValue(forKey: address) else { return }
            candidate.phase = .executing
            settle(candidate, disposition)
        }

        private mutating func settle(_ candidate: Candidate, _ disposition: Disposition) {
            var candidate = candidate
            let address = candidate.job.address
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
                guard isAccepting else { return }
                waiting[address] = candidate
            }
        }

        /// Lets every waiting job run now (used when settlement resumes after funding).
        package mutating func releaseWaits() {
            for address in waiting.keys { waiting[address]?.notBefore = nil }
        }

        /// Stops taking jobs: nothing new is prepared or started; prepared jobs are forgotten (the journal
        /// resumes them next start); running jobs finish.
        package mutating func stopAccepting() {
            isAccepting = false
            ready.removeAll()
            waiting.removeAll()
        }

        /// The earliest instant after `date` at which something may change without an event: a waiting job
        /// leaving its backoff, or, while jobs wait, a preparation moving to the slow lane. (Jobs already
        /// eligible need no timer: the event that frees a slot starts them.)
        package func nextWakeup(after date: Date) -> Date? {
            let backoff = waiting.values.compactMap(\.notBefore).filter { $0 > date }.min()
            guard !waiting.isEmpty else { return backoff }
            let slow = preparing.values.compactMap { $0.preparingSince?.addingTimeInterval(slowPreparationAfter) }
                .filter { $0 > date }.min()
            return [backoff, slow].compactMap { $0 }.min()
        }

        /// No job waits, is prepared or runs.
        package var isIdle: Bool { waiting.isEmpty && preparing.isEmpty && ready.isEmpty && running.isEmpty }

        /// Jobs being prepared or run: what a shutdown waits for.
        package var activeCount: Int { preparing.count + running.count }
    }
}
