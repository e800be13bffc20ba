import Foundation
import Logging
import Retry
import Solana

/// The run loop: discovers jobs (subscription pushes plus a poll every `pollInterval` and after every
/// reconnect), feeds the ``Scheduler``, runs the ``JobPipeline`` for each job it starts, pauses and resumes
/// settlement on funds, and shuts down gracefully.
public actor WorkerService {
    /// Timing and limits of the loop.
    public struct Options: Sendable {
        /// Jobs run at once.
        public var maxConcurrentJobs: Int
        /// Preparations (code fetches) in flight in each lane (`FETCH_CONCURRENCY`); see ``Scheduler/StateMachine``.
        public var fetchConcurrency: Int
        /// Time after which a preparation moves to the slow lane.
        public var slowPreparationAfter: Duration
        /// This worker's shard.
        public var shard: WorkerShard?
        /// Time between polls.
        public var pollInterval: Duration
        /// Time running jobs get to finish after ``WorkerService/shutdown()``.
        public var shutdownGrace: Duration
        /// Time between balance probes while settlement is paused.
        public var fundsProbeInterval: Duration
        /// Balance at which settlement resumes: the fee of one complete_job, priority fee included (the same
        /// number under which the settler pauses it).
        public var minimumSettlementBalance: UInt64
        /// Time between probes of the journal while a full disk pauses the worker.
        public var journalProbeInterval: Duration
        /// Room a probe of a full journal must find before jobs are taken again: one result document.
        public var journalProbeBytes: Int
        /// How long finished jobs keep their result documents in the journal (`JOURNAL_RETENTION`); nil keeps
        /// them for ever.
        public var journalRetention: Duration?
        /// Balance under which a warning is logged at start.
        public var lowBalanceLamports: UInt64
        /// Consecutive failed polls after which a `once` run gives up.
        public var oncePollAttempts: Int
        /// Backoff between failed polls in a `once` run.
        public var pollBackoff: Backoff

        /// Creates the options.
        public init(
            maxConcurrentJobs: Int, fetchConcurrency: Int? = nil, slowPreparationAfter: Duration = .milliseconds(250),
            shard: WorkerShard?, pollInterval: Duration, shutdownGrace: Duration,
            fundsProbeInterval: Duration = .seconds(30), minimumSettlementBalance: UInt64 = 5_000,
            journalProbeInterval: Duration = .seconds(10), journalProbeBytes: Int = Journal.healthProbeBytes,
            journalRetention: Duration? = nil, lowBalanceLamports: UInt64, oncePollAttempts: Int = 5,
            pollBackoff: Backoff = Backoff(initial: .seconds(1), maximum: .seconds(30), jitter: 0.2)
        ) {
            self.maxConcurrentJobs = maxConcurrentJobs
            self.fetchConcurrency = fetchConcurrency ?? 4 * maxConcurrentJobs
            self.slowPreparationAfter = slowPreparationAfter
            self.journalProbeInterval = journalProbeInterval
            self.journalProbeBytes = journalProbeBytes
            self.journalRetention = journalRetention
            self.shard = shard
            self.pollInterval = pollInterval
            self.shutdownGrace = shutdownGrace
            self.fundsProbeInterval = fundsProbeInterval
            self.minimumSettlementBalance = minimumSettlementBalance
            self.lowBalanceLamports = lowBalanceLamports
            self.oncePollAttempts = oncePollAttempts
            self.pollBackoff = pollBackoff
        }

        /// The options a configuration asks for.
        public init(configuration: WorkerConfiguration) {
            self.init(
                maxConcurrentJobs: configuration.maxConcurrentJobs, fetchConcurrency: configuration.fetchConcurrency,
                shard: configuration.shard, pollInterval: .seconds(configuration.pollInterval),
                shutdownGrace: .seconds(configuration.shutdownGrace),
                minimumSettlementBalance: SolanaJobSettler.Fees(
                    priorityFeeMicroLamports: configuration.priorityFeeMicroLamports
                ).feeLamports,
                journalProbeBytes: configuration.maxResultBytes,
                journalRetention: configuration.journalRetention == 0 ? nil : .seconds(configuration.journalRetention),
                lowBalanceLamports: configuration.lowBalanceLamports)
        }
    }

    /// The run loop stopped because it could not go on.
    public enum RunError: Error, CustomStringConvertible {
        /// The journal failed; no job is taken until it is fixed. Recorded results are kept.
        case journal(JournalError)
        /// A `once` run could not list pending jobs.
        case pollFailed(attempts: Int, lastError: String)
        /// `run` was called twice.
        case alreadyRunning

        /// Explains the stop.
        public var description: String {
            switch self {
            case .journal(let error): "stopped taking jobs: \(error)"
            case .pollFailed(let attempts, let error):
                "could not list pending jobs after \(attempts) attempts: \(error)"
            case .alreadyRunning: "the worker is already running"
            }
        }
    }

    enum Event: Sendable {
        case pollDue
        case polled(Result<[PendingJob], PollError>)
        case update(JobUpdate)
        case prepared(PendingJob, PreparationResult)
        case jobFinished(PendingJob, JobRunResult)
        case journalProbed(writable: Bool)
        case jobSettling(PublicKey)
        case wake
        case shutdown
        case graceExpired
        case funds(UInt64?)
    }

    struct PollError: Error {
        var message: String
    }

    let options: Options
    let journal: Journal
    let source: any JobSource
    let balanceMonitor: any BalanceMonitor
    let pipeline: JobPipeline
    let gate: SettlementGate
    let health: HealthState?
    let metrics: WorkerMetrics
    let logger: Logger
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    private var machine: Scheduler.StateMachine
    private var preparations: [PublicKey: Task<Void, Never>] = [:]
    private var journalPaused = false
    private var started = false
    private var isOnce = false
    private var summary = RunSummary()
    private var pollInFlight = false
    private var pollFailures = 0
    private var needsConfirmingPoll = false
    private var stopping = false
    private var haltError: RunError?
    private var awaitingFunds: Set<PublicKey> = []
    private var probeInFlight = false
    private var journalProbeInFlight = false
    private var fundsProbeFailed = false
    private var wakeAt: Date?

    /// Creates a worker. `pipeline` and `health` share `journal` and `gate` with it.
    public init(
        options: Options, journal: Journal, source: any JobSource, balanceMonitor: any BalanceMonitor,
        pipeline: JobPipeline, gate: SettlementGate, health: HealthState?, metrics: WorkerMetrics, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.options = options
        self.journal = journal
        self.source = source
        self.balanceMonitor = balanceMonitor
        self.pipeline = pipeline
        self.machine = Scheduler.StateMachine(
            maxConcurrent: options.maxConcurrentJobs, shard: options.shard, fetchConcurrency: options.fetchConcurrency,
            slowPreparationAfter: options.slowPreparationAfter.inSeconds)
        self.gate = gate
        self.health = health
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.random = random
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    /// Asks the worker to stop: no new job starts, running jobs get the grace period, then are cancelled.
    /// Safe to call from any thread, any number of times (e.g. from a signal handler).
    public nonisolated func shutdown() {
        continuation.yield(.shutdown)
    }

    /// Runs until ``shutdown()`` (or, with `once`, until nothing this worker may take is left).
    ///
    /// Unfinished jobs of earlier runs are resumed from the journal first. A `once` run does not subscribe;
    /// it polls, processes, and polls again until a poll finds nothing new; jobs in backoff are waited for,
    /// and it returns when only jobs waiting for funds are left and a balance probe found none.
    public func run(once: Bool) async throws(RunError) -> RunSummary {
        guard !started else { throw .alreadyRunning }
        started = true
        isOnce = once
        logger.info("worker starting", metadata: ["mode": "\(once ? "once" : "continuous")"])
        await checkBalanceAtStart()
        do {
            var after: PublicKey?
            repeat {
                let page = try await journal.unfinishedJobs(after: after)
                for entry in page {
                    _ = machine.offer(
                        entry.job, at: now(), hasProgress: entry.state != .discovered, notBefore: entry.nextAttemptAt)
                    logger.info(
                        "resuming from the journal",
                        metadata: [
                            "job": "\(entry.address)", "title": "\(entry.job.title)",
                            "state": "\(entry.state.rawValue)",
                        ])
                }
                after = page.count == Journal.resumePageSize ? page.last?.address : nil
            } while after != nil
        } catch {
            throw .journal(error)
        }
        continuation.yield(.pollDue)
        await withTaskGroup(of: Void.self) { group in
            if !once { startBackgroundDiscovery(&group) }
            if !once { startRetention(&group) }
            for await event in events {
                await handle(event, group: &group)
                if shouldExit() { break }
            }
            group.cancelAll()
        }
        cancelPreparations()
        continuation.finish()
        if let haltError { throw haltError }
        logger.info("worker stopped", metadata: ["settled": "\(summary.settled)", "retries": "\(summary.retries)"])
        return summary
    }

    // MARK: - Events

    private func handle(_ event: Event, group: inout TaskGroup<Void>) async {
        switch event {
        case .pollDue:
            guard !pollInFlight, !stopping, haltError == nil else { return }
            pollInFlight = true
            let source = source
            let continuation = continuation
            group.addTask {
                do {
                    continuation.yield(.polled(.success(try await source.pendingJobs())))
                } catch {
                    continuation.yield(.polled(.failure(PollError(message: "\(error)"))))
                }
            }
        case .polled(.success(let jobs)):
            pollInFlight = false
            pollFailures = 0
            metrics.poll(succeeded: true)
            await health?.pollSucceeded(at: now())
            let accepted = machine.reconcile(pending: jobs, at: now())
            logger.debug("poll", metadata: ["pending": "\(jobs.count)", "new": "\(accepted.count)"])
        case .polled(.failure(let error)):
            pollInFlight = false
            pollFailures += 1
            metrics.poll(succeeded: false)
            logger.warning("poll failed", metadata: ["error": "\(error.message)", "consecutive": "\(pollFailures)"])
            if isOnce {
                if pollFailures >= options.oncePollAttempts {
                    haltError = .pollFailed(attempts: pollFailures, lastError: error.message)
                } else {
                    let delay = options.pollBackoff.delay(afterAttempt: pollFailures, random: random())
                    schedule(.pollDue, after: delay, in: &group)
                }
            }
        case .update(.pending(let job)):
            let result = machine.offer(job, at: now())
            if result == .accepted {
                logger.debug("subscription: job pending", metadata: ["job": "\(job.address)", "title": "\(job.title)"])
            }
        case .update(.notPending(let address)):
            machine.withdraw(address)
        case .update(.resubscribed):
            logger.info("subscription (re)established; polling now")
            continuation.yield(.pollDue)
        case .prepared(let job, let result):
            preparations[job.address] = nil
            switch result {
            case .ready(let prepared):
                machine.prepared(job.address, prepared)
            case .ended(let outcome):
                let disposition = disposition(of: outcome, for: job.address)
                machine.preparationEnded(job.address, disposition)
            }
        case .jobFinished(let job, let result):
            needsConfirmingPoll = true
            machine.finish(job.address, disposition(of: result, for: job.address))
            metrics.inFlight(machine.running.count)
        case .jobSettling(let address):
            machine.markSettling(address)
        case .journalProbed(let writable):
            journalProbeInFlight = false
            if writable {
                journalPaused = false
                metrics.journalPaused(false)
                logger.notice("the journal is writable again: taking jobs")
            }
        case .wake:
            if let armed = wakeAt, armed <= now() { wakeAt = nil }
        case .shutdown:
            guard !stopping else { return }
            stopping = true
            machine.stopAccepting()
            cancelPreparations()
            let running = machine.running.count
            logger.notice(
                "shutting down: no new jobs",
                metadata: ["running": "\(running)", "grace_s": "\(options.shutdownGrace)"])
            summary.shutDown = true
            schedule(.graceExpired, after: options.shutdownGrace, in: &group)
        case .graceExpired:
            let running = machine.running.count
            if running > 0 {
                logger.warning(
                    "grace period over: cancelling running jobs; they resume from the journal next start",
                    metadata: ["running": "\(running)"])
            }
            group.cancelAll()
        case .funds(let balance):
            probeInFlight = false
            if let balance {
                metrics.balance(lamports: balance)
                if balance >= options.minimumSettlementBalance {
                    await gate.resume()
                    metrics.settlementPaused(false)
                    fundsProbeFailed = false
                    awaitingFunds.removeAll()
                    machine.releaseWaits()
                    logger.notice("funded again: settlement resumed", metadata: ["balance": "\(balance)"])
                } else {
                    fundsProbeFailed = true
                    logger.warning("still not enough funds to settle", metadata: ["balance": "\(balance)"])
                }
            } else {
                fundsProbeFailed = true
            }
        }
        if !stopping, haltError == nil, !journalPaused { dispatch(&group) }
        metrics.preparation(fetching: machine.preparing.count, ready: machine.ready.count)
        armWakeTimer(&group)
        if await gate.isPaused, !probeInFlight, !awaitingFunds.isEmpty { startFundsProbe(&group) }
        if journalPaused, !journalProbeInFlight { startJournalProbe(&group) }
    }

    /// What the scheduler does with a job whose run or preparation ended with `result`.
    private func disposition(of result: JobRunResult, for address: PublicKey) -> Scheduler.StateMachine.Disposition {
        switch result {
        case .finished(let state):
            summary.finished[state, default: 0] += 1
            awaitingFunds.remove(address)
            return .finished
        case .dropped:
            return .dropped
        case .retry(let date, let hasProgress):
            summary.retries += 1
            return .retry(at: date, hasProgress: hasProgress)
        case .awaitingFunds:
            awaitingFunds.insert(address)
            return .retry(at: now().addingTimeInterval(options.fundsProbeInterval.inSeconds), hasProgress: true)
        case .interrupted:
            return .retry(at: now(), hasProgress: true)
        case .journalFailure(let error):
            if error.kind == .diskFull, !isOnce {
                if !journalPaused {
                    journalPaused = true
                    metrics.journalPaused(true)
                    cancelPreparations()
                    logger.critical(
                        """
                        the disk holding the journal is full: no new jobs until it has room again; recorded \
                        results are kept. Free space in STATE_DIR's file system.
                        """,
                        metadata: ["error": "\(error)"])
                }
            } else if haltError == nil {
                haltError = .journal(error)
                machine.stopAccepting()
                cancelPreparations()
                logger.critical(
                    "journal failure: no new jobs will be taken; recorded results are kept",
                    metadata: ["error": "\(error)"])
            }
            return .retry(at: now(), hasProgress: true)
        }
    }

    private func dispatch(_ group: inout TaskGroup<Void>) {
        let date = now()
        while let candidate = machine.nextPreparation(at: date) {
            startPreparation(candidate.job)
        }
        var started = false
        while let candidate = machine.next(at: date) {
            started = true
            let pipeline = pipeline
            let continuation = continuation
            logger.debug(
                "job started", metadata: ["job": "\(candidate.job.address)", "title": "\(candidate.job.title)"])
            group.addTask {
                let address = candidate.job.address
                let result = await pipeline.process(
                    candidate.job, firstSeen: candidate.firstSeen, prepared: candidate.prepared
                ) {
                    continuation.yield(.jobSettling(address))
                }
                continuation.yield(.jobFinished(candidate.job, result))
            }
        }
        if started { metrics.inFlight(machine.running.count) }
    }

    /// Prepares `job` in a task of its own (not in the run loop's group), so that a shutdown cancels
    /// preparations at once while running jobs get their grace period.
    private func startPreparation(_ job: PendingJob) {
        let pipeline = pipeline
        let continuation = continuation
        preparations[job.address] = Task {
            let result = await pipeline.prepare(job)
            continuation.yield(.prepared(job, result))
        }
    }

    private func cancelPreparations() {
        for task in preparations.values { task.cancel() }
    }

    private func shouldExit() -> Bool {
        let active = machine.activeCount
        if haltError != nil || stopping { return active == 0 }
        guard isOnce, !pollInFlight, pollFailures == 0 else { return false }
        if machine.isIdle {
            guard needsConfirmingPoll else { return true }
            needsConfirmingPoll = false
            continuation.yield(.pollDue)
            return false
        }
        let waiting = Set(machine.waiting.keys)
        if active == 0, machine.ready.isEmpty, fundsProbeFailed, !waiting.isEmpty, waiting.isSubset(of: awaitingFunds) {
            summary.awaitingFunds = waiting.count
            logger.warning(
                "settlement paused for lack of funds; stopping the once run", metadata: ["waiting": "\(waiting.count)"])
            return true
        }
        return false
    }

    // MARK: - Timers and background work

    private func schedule(_ event: Event, after delay: Duration, in group: inout TaskGroup<Void>) {
        let continuation = continuation
        group.addTask {
            try? await Task.sleep(for: delay)
            if !Task.isCancelled { continuation.yield(event) }
        }
    }

    private func armWakeTimer(_ group: inout TaskGroup<Void>) {
        guard let wake = machine.nextWakeup(after: now()) else { return }
        if let armed = wakeAt, armed <= wake, armed > now() { return }
        wakeAt = wake
        let delay = max(0, wake.timeIntervalSince(now()))
        schedule(.wake, after: .milliseconds(Int64((delay * 1000).rounded(.up)) + 1), in: &group)
    }

    private func startBackgroundDiscovery(_ group: inout TaskGroup<Void>) {
        let source = source
        let continuation = continuation
        let interval = options.pollInterval
        group.addTask {
            for await update in source.jobUpdates() {
                if Task.isCancelled { return }
                continuation.yield(.update(update))
            }
        }
        group.addTask {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if !Task.isCancelled { continuation.yield(.pollDue) }
            }
        }
    }

    /// Prunes the result documents of jobs finished longer than `journalRetention` ago: at start, then hourly.
    private func startRetention(_ group: inout TaskGroup<Void>) {
        guard let retention = options.journalRetention else { return }
        let journal = journal
        let logger = logger
        let now = now
        group.addTask {
            while !Task.isCancelled {
                do {
                    let pruned = try await Self.pruneExpired(journal, retention: retention, now: now())
                    if pruned > 0 {
                        logger.info(
                            "pruned the result documents of finished jobs past JOURNAL_RETENTION",
                            metadata: ["jobs": "\(pruned)"])
                    }
                } catch {
                    logger.warning(
                        "pruning the journal failed; trying again in an hour", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }

    /// Drops the result documents of jobs finished more than `retention` before `now`.
    private static func pruneExpired(_ journal: Journal, retention: Duration, now: Date) async throws(JournalError)
        -> Int
    {
        try await journal.pruneResultDocuments(settledBefore: now.addingTimeInterval(-retention.inSeconds))
    }

    private func startJournalProbe(_ group: inout TaskGroup<Void>) {
        journalProbeInFlight = true
        let journal = journal
        let continuation = continuation
        let interval = options.journalProbeInterval
        let bytes = options.journalProbeBytes
        let retention = options.journalRetention
        let now = now
        group.addTask {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            // Pruning needs no new pages, so it can make room even on a full disk.
            if let retention { _ = try? await Self.pruneExpired(journal, retention: retention, now: now()) }
            let writable = (try? await journal.checkWritable(reserving: bytes)) != nil
            continuation.yield(.journalProbed(writable: writable))
        }
    }

    private func startFundsProbe(_ group: inout TaskGroup<Void>) {
        probeInFlight = true
        let monitor = balanceMonitor
        let continuation = continuation
        let interval = options.fundsProbeInterval
        let logger = logger
        group.addTask {
            try? await Task.sleep(for: interval)
            guard !Task.isCancelled else { return }
            do {
                continuation.yield(.funds(try await monitor.balance()))
            } catch {
                logger.warning("balance probe failed", metadata: ["error": "\(error)"])
                continuation.yield(.funds(nil))
            }
        }
    }

    private func checkBalanceAtStart() async {
        do {
            let balance = try await balanceMonitor.balance()
            metrics.balance(lamports: balance)
            if balance < options.lowBalanceLamports {
                logger.warning(
                    "low balance: fund the worker's address or settlements will fail",
                    metadata: ["balance": "\(balance)", "threshold": "\(options.lowBalanceLamports)"])
            } else {
                logger.info("balance", metadata: ["lamports": "\(balance)"])
            }
        } catch {
            logger.warning("could not read the worker's balance", metadata: ["error": "\(error)"])
        }
    }
}
