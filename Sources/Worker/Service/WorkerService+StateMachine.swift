import Foundation
import Logging
import Solana

extension WorkerService {
    /// The run loop's rules, without I/O or clocks: it takes ``Event``s, each with the instant it is handled
    /// at, and returns the ``Action``s that ``WorkerService`` carries out (start a poll, a preparation or a job;
    /// arm a timer; probe funds or the journal; log). It owns the ``Scheduler/StateMachine``.
    ///
    /// The rules:
    /// - **Polls.** One poll at a time. A failed poll in a `once` run is retried with `pollBackoff`, and after
    ///   `oncePollAttempts` consecutive failures the run halts with ``RunError/pollFailed(attempts:lastError:)``.
    ///   A continuous run polls again on its interval (or when the subscription is re-established).
    /// - **A `once` run** ends when the scheduler is idle and a poll made after the last job finished found
    ///   nothing new; or, when nothing runs and every waiting job waits for funds that a probe did not find.
    /// - **Funds.** A job that cannot be settled for lack of funds waits; while any does, the balance is
    ///   probed every `fundsProbeInterval`, and settlement resumes (every waiting job released) once the
    ///   balance reaches `minimumSettlementBalance`.
    /// - **The journal.** A full disk (continuous runs) pauses taking jobs and probes the journal every
    ///   `journalProbeInterval` until it has room; any other journal failure halts the run once nothing is
    ///   active.
    /// - **Shutdown.** No new job is prepared or started, preparations are cancelled, running jobs get
    ///   `shutdownGrace` and are then cancelled; the run ends when nothing is active.
    package struct StateMachine: Sendable {
        /// Something that happened to the run loop.
        package enum Event: Sendable {
            /// Time to poll for pending jobs.
            case pollDue
            /// A poll ended.
            case polled(Result<[PendingJob], PollError>)
            /// The subscription reported a change.
            case update(JobUpdate)
            /// A job's preparation ended.
            case prepared(PendingJob, PreparationResult)
            /// A job's pass through the pipeline ended.
            case jobFinished(PendingJob, JobRunResult)
            /// A running job moved on past execution (its result recorded, then published): its execution slot
            /// is free.
            case jobMoved(PublicKey, RunPhase)
            /// A probe of the full journal ended.
            case journalProbed(writable: Bool)
            /// A timer armed by ``Action/schedule(_:after:)`` for ``Event/wake`` fired.
            case wake
            /// Shutdown was requested.
            case shutdown
            /// The running jobs' grace period is over.
            case graceExpired
            /// A balance probe ended: the balance, or nil when it could not be read.
            case funds(UInt64?)
        }

        /// What ``WorkerService`` is to do.
        package enum Action: Sendable {
            /// List the pending jobs, then report ``Event/polled(_:)``.
            case poll
            /// Prepare the job in a task of its own, then report ``Event/prepared(_:_:)``.
            case prepare(PendingJob)
            /// Run the job's pipeline, then report ``Event/jobFinished(_:_:)``.
            case run(Scheduler.StateMachine.Candidate)
            /// Report `event` after `delay`.
            case schedule(Event, after: Duration)
            /// Read the balance after `delay`, then report ``Event/funds(_:)``.
            case probeFunds(after: Duration)
            /// Prune expired documents and check the journal for room after `delay`, then report
            /// ``Event/journalProbed(writable:)``.
            case probeJournal(after: Duration)
            /// Open the settlement gate again.
            case resumeSettlement
            /// Cancel every preparation.
            case cancelPreparations
            /// Cancel the running jobs (they resume from the journal next start).
            case cancelRunning
            /// Count a poll (and, when it succeeded, tell the health endpoint).
            case recordPoll(succeeded: Bool)
            /// Record the balance read by a probe.
            case recordBalance(UInt64)
            /// Record whether a full journal pauses the worker.
            case recordJournalPaused(Bool)
            /// Log this line.
            case log(Logger.Level, Logger.Message, Logger.Metadata = [:])
            /// The run is over: ``haltError`` says whether it failed.
            case stop
        }

        /// Why a poll failed.
        package struct PollError: Error, Sendable {
            /// The error, described.
            package var message: String

            /// Creates the error.
            package init(message: String) {
                self.message = message
            }
        }

        /// The timing and limits of the loop.
        package let options: Options
        /// A `once` run: no subscription; it ends when nothing is left to do.
        package let isOnce: Bool
        /// The scheduling decisions for single jobs.
        package private(set) var scheduler: Scheduler.StateMachine
        /// What the run did so far.
        package private(set) var summary = RunSummary()
        /// Why the run halted, once it did.
        package private(set) var haltError: RunError?
        /// A full journal pauses taking jobs.
        package private(set) var journalPaused = false
        /// Jobs waiting because settlement lacked funds.
        package private(set) var awaitingFunds: Set<PublicKey> = []
        private var stopping = false
        private var pollInFlight = false
        private var pollFailures = 0
        private var needsConfirmingPoll = false
        private var fundsProbeInFlight = false
        private var fundsProbeFailed = false
        private var journalProbeInFlight = false
        private var wakeAt: Date?
        private var stopped = false
        private let random: @Sendable () -> Double

        /// Creates the machine of a `once` or continuous run; `random` draws the jitter of poll backoffs, in
        /// `0..<1`.
        package init(options: Options, once: Bool, random: @escaping @Sendable () -> Double) {
            self.options = options
            self.isOnce = once
            self.random = random
            scheduler = Scheduler.StateMachine(
                maxConcurrent: options.maxConcurrentJobs, shard: options.shard,
                fetchConcurrency: options.fetchConcurrency,
                slowPreparationAfter: options.slowPreparationAfter.inSeconds, maxSettling: options.maxSettling)
        }

        /// Takes a job the journal holds unfinished from an earlier run.
        package mutating func resume(_ entry: UnfinishedJob, at date: Date) -> [Action] {
            _ = scheduler.offer(
                entry.job, at: date, hasProgress: entry.state != .discovered, notBefore: entry.nextAttemptAt)
            return [
                .log(
                    .info, "resuming from the journal",
                    [
                        "job": "\(entry.address)", "title": "\(entry.job.title)", "state": "\(entry.state.rawValue)",
                    ])
            ]
        }

        /// Handles `event` at `date`: returns what to do, in order. After ``Action/stop`` nothing is to be done.
        package mutating func handle(_ event: Event, at date: Date) -> [Action] {
            guard !stopped else { return [] }
            var actions: [Action] = []
            apply(event, at: date, into: &actions)
            if !stopping, haltError == nil, !journalPaused { dispatch(at: date, into: &actions) }
            armWakeTimer(at: date, into: &actions)
            if !awaitingFunds.isEmpty, !fundsProbeInFlight {
                fundsProbeInFlight = true
                actions.append(.probeFunds(after: options.fundsProbeInterval))
            }
            if journalPaused, !journalProbeInFlight {
                journalProbeInFlight = true
                actions.append(.probeJournal(after: options.journalProbeInterval))
            }
            if shouldStop(at: date, into: &actions) {
                stopped = true
                actions.append(.stop)
            }
            return actions
        }

        // MARK: - Events

        private mutating func apply(_ event: Event, at date: Date, into actions: inout [Action]) {
            switch event {
            case .pollDue:
                startPoll(into: &actions)
            case .polled(.success(let jobs)):
                pollInFlight = false
                pollFailures = 0
                actions.append(.recordPoll(succeeded: true))
                let accepted = scheduler.reconcile(pending: jobs, at: date)
                actions.append(.log(.debug, "poll", ["pending": "\(jobs.count)", "new": "\(accepted.count)"]))
            case .polled(.failure(let error)):
                pollFailed(error, into: &actions)
            case .update(.pending(let job)):
                if scheduler.offer(job, at: date) == .accepted {
                    actions.append(
                        .log(.debug, "subscription: job pending", ["job": "\(job.address)", "title": "\(job.title)"]))
                }
            case .update(.notPending(let address)):
                scheduler.withdraw(address)
            case .update(.resubscribed):
                actions.append(.log(.info, "subscription (re)established; polling now"))
                startPoll(into: &actions)
            case .prepared(let job, .ready(let prepared)):
                scheduler.prepared(job.address, prepared)
            case .prepared(let job, .ended(let outcome)):
                scheduler.preparationEnded(job.address, disposition(of: outcome, for: job.address, at: date, &actions))
            case .jobFinished(let job, let result):
                needsConfirmingPoll = true
                scheduler.finish(job.address, disposition(of: result, for: job.address, at: date, &actions))
            case .jobMoved(let address, let phase):
                scheduler.mark(address, phase)
            case .journalProbed(let writable):
                journalProbeInFlight = false
                if writable {
                    journalPaused = false
                    actions.append(.recordJournalPaused(false))
                    actions.append(.log(.notice, "the journal is writable again: taking jobs"))
                }
            case .wake:
                if let armed = wakeAt, armed <= date { wakeAt = nil }
            case .shutdown:
                shutDown(into: &actions)
            case .graceExpired:
                let running = scheduler.running.count
                if running > 0 {
                    actions.append(
                        .log(
                            .warning,
                            "grace period over: cancelling running jobs; they resume from the journal next start",
                            ["running": "\(running)"]))
                }
                actions.append(.cancelRunning)
            case .funds(let balance):
                fundsProbed(balance, into: &actions)
            }
        }

        private mutating func startPoll(into actions: inout [Action]) {
            guard !pollInFlight, !stopping, haltError == nil else { return }
            pollInFlight = true
            actions.append(.poll)
        }

        private mutating func pollFailed(_ error: PollError, into actions: inout [Action]) {
            pollInFlight = false
            pollFailures += 1
            actions.append(.recordPoll(succeeded: false))
            actions.append(
                .log(.warning, "poll failed", ["error": "\(error.message)", "consecutive": "\(pollFailures)"]))
            guard isOnce else { return }
            if pollFailures >= options.oncePollAttempts {
                haltError = .pollFailed(attempts: pollFailures, lastError: error.message)
            } else {
                actions.append(
                    .schedule(.pollDue, after: options.pollBackoff.delay(afterAttempt: pollFailures, random: random())))
            }
        }

        private mutating func shutDown(into actions: inout [Action]) {
            guard !stopping else { return }
            stopping = true
            scheduler.stopAccepting()
            actions.append(.cancelPreparations)
            actions.append(
                .log(
                    .notice, "shutting down: no new jobs",
                    ["running": "\(scheduler.running.count)", "grace_s": "\(options.shutdownGrace)"]))
            summary.shutDown = true
            actions.append(.schedule(.graceExpired, after: options.shutdownGrace))
        }

        private mutating func fundsProbed(_ balance: UInt64?, into actions: inout [Action]) {
            fundsProbeInFlight = false
            guard let balance else {
                fundsProbeFailed = true
                return
            }
            actions.append(.recordBalance(balance))
            guard balance >= options.minimumSettlementBalance else {
                fundsProbeFailed = true
                actions.append(.log(.warning, "still not enough funds to settle", ["balance": "\(balance)"]))
                return
            }
            fundsProbeFailed = false
            awaitingFunds.removeAll()
            scheduler.releaseWaits()
            actions.append(.resumeSettlement)
            actions.append(.log(.notice, "funded again: settlement resumed", ["balance": "\(balance)"]))
        }

        /// What the scheduler does with a job whose run or preparation ended with `result`.
        private mutating func disposition(
            of result: JobRunResult, for address: PublicKey, at date: Date, _ actions: inout [Action]
        ) -> Scheduler.StateMachine.Disposition {
            switch result {
            case .finished(let state):
                summary.finished[state, default: 0] += 1
                awaitingFunds.remove(address)
                return .finished
            case .dropped:
                return .dropped
            case .retry(let retryAt, let hasProgress):
                summary.retries += 1
                return .retry(at: retryAt, hasProgress: hasProgress)
            case .awaitingFunds:
                awaitingFunds.insert(address)
                return .retry(at: date.addingTimeInterval(options.fundsProbeInterval.inSeconds), hasProgress: true)
            case .interrupted:
                return .retry(at: date, hasProgress: true)
            case .journalFailure(let error):
                journalFailed(error, into: &actions)
                return .retry(at: date, hasProgress: true)
            }
        }

        private mutating func journalFailed(_ error: JournalError, into actions: inout [Action]) {
            if error.kind == .diskFull, !isOnce {
                guard !journalPaused else { return }
                journalPaused = true
                actions.append(.recordJournalPaused(true))
                actions.append(.cancelPreparations)
                actions.append(
                    .log(
                        .critical,
                        """
                        the disk holding the journal is full: no new jobs until it has room again; recorded \
                        results are kept. Free space in STATE_DIR's file system.
                        """,
                        ["error": "\(error)"]))
            } else if haltError == nil {
                haltError = .journal(error)
                scheduler.stopAccepting()
                actions.append(.cancelPreparations)
                actions.append(
                    .log(
                        .critical, "journal failure: no new jobs will be taken; recorded results are kept",
                        ["error": "\(error)"]))
            }
        }

        // MARK: - Dispatch, timers, the end

        private mutating func dispatch(at date: Date, into actions: inout [Action]) {
            while let candidate = scheduler.nextPreparation(at: date) {
                actions.append(.prepare(candidate.job))
            }
            while let candidate = scheduler.next(at: date) {
                actions.append(
                    .log(.debug, "job started", ["job": "\(candidate.job.address)", "title": "\(candidate.job.title)"]))
                actions.append(.run(candidate))
            }
        }

        /// Arms one ``Event/wake`` timer for the scheduler's next wakeup, unless an earlier one is armed.
        private mutating func armWakeTimer(at date: Date, into actions: inout [Action]) {
            guard let wake = scheduler.nextWakeup(after: date) else { return }
            if let armed = wakeAt, armed <= wake, armed > date { return }
            wakeAt = wake
            let delay = max(0, wake.timeIntervalSince(date))
            actions.append(.schedule(.wake, after: .milliseconds(Int64((delay * 1000).rounded(.up)) + 1)))
        }

        private mutating func shouldStop(at date: Date, into actions: inout [Action]) -> Bool {
            let active = scheduler.activeCount
            if haltError != nil || stopping { return active == 0 }
            guard isOnce, !pollInFlight, pollFailures == 0 else { return false }
            if scheduler.isIdle {
                guard needsConfirmingPoll else { return true }
                needsConfirmingPoll = false
                startPoll(into: &actions)
                return false
            }
            let waiting = Set(scheduler.waiting.keys)
            guard active == 0, scheduler.ready.isEmpty, fundsProbeFailed, !waiting.isEmpty,
                waiting.isSubset(of: awaitingFunds)
            else { return false }
            summary.awaitingFunds = waiting.count
            actions.append(
                .log(
                    .warning, "settlement paused for lack of funds; stopping the once run",
                    ["waiting": "\(waiting.count)"]))
            return true
        }
    }
}
