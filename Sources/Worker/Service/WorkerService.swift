import Foundation
import Logging
import Retry
import Solana

/// The run loop: discovers jobs (subscription pushes plus a poll every `pollInterval` and after every
/// reconnect), runs the ``JobPipeline`` for each job it prepares and starts, pauses and resumes settlement on
/// funds, and shuts down gracefully. Its decisions are ``StateMachine``'s; the actor carries out the actions
/// and feeds the events back, with time from an injected ``WorkerClock``.
package actor WorkerService {
    let options: Options
    let journal: Journal
    let source: any JobSource
    let balanceMonitor: any BalanceMonitor
    let pipeline: JobPipeline
    let gate: SettlementGate
    let health: HealthState?
    let metrics: WorkerMetrics
    let logger: Logger
    let clock: any WorkerClock
    let random: @Sendable () -> Double
    private let events: AsyncStream<StateMachine.Event>
    private let continuation: AsyncStream<StateMachine.Event>.Continuation
    private var started = false
    private var preparations: [PublicKey: Task<Void, Never>] = [:]

    /// Creates a worker. `pipeline` and `health` share `journal` and `gate` with it.
    package init(
        options: Options, journal: Journal, source: any JobSource, balanceMonitor: any BalanceMonitor,
        pipeline: JobPipeline, gate: SettlementGate, health: HealthState?, metrics: WorkerMetrics, logger: Logger,
        clock: any WorkerClock = SystemWorkerClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.options = options
        self.journal = journal
        self.source = source
        self.balanceMonitor = balanceMonitor
        self.pipeline = pipeline
        self.gate = gate
        self.health = health
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.random = random
        (events, continuation) = AsyncStream.makeStream(of: StateMachine.Event.self)
    }

    /// Asks the worker to stop: no new job starts, running jobs get the grace period, then are cancelled.
    /// Safe to call from any thread, any number of times (e.g. from a signal handler).
    package nonisolated func shutdown() {
        continuation.yield(.shutdown)
    }

    /// Runs until ``shutdown()`` (or, with `once`, until nothing this worker may take is left).
    ///
    /// Unfinished jobs of earlier runs are resumed from the journal first. A `once` run does not subscribe;
    /// it polls, processes, and polls again until a poll finds nothing new; jobs in backoff are waited for,
    /// and it returns when only jobs waiting for funds are left and a balance probe found none.
    package func run(once: Bool) async throws(RunError) -> RunSummary {
        guard !started else { throw .alreadyRunning }
        started = true
        logger.info("worker starting", metadata: ["mode": "\(once ? "once" : "continuous")"])
        await checkBalanceAtStart()
        var machine = StateMachine(options: options, once: once, random: random)
        do {
            var after: PublicKey?
            repeat {
                let page = try await journal.unfinishedJobs(after: after)
                for entry in page {
                    for case .log(let level, let message, let metadata) in machine.resume(entry, at: clock.now) {
                        logger.log(level: level, message, metadata: metadata)
                    }
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
            events: for await event in events {
                if case .prepared(let job, _) = event { preparations[job.address] = nil }
                for action in machine.handle(event, at: clock.now) {
                    guard await perform(action, group: &group) else { break events }
                }
                metrics.inFlight(machine.scheduler.running.count)
                metrics.preparation(fetching: machine.scheduler.preparing.count, ready: machine.scheduler.ready.count)
            }
            group.cancelAll()
        }
        cancelPreparations()
        continuation.finish()
        if let haltError = machine.haltError { throw haltError }
        let summary = machine.summary
        logger.info("worker stopped", metadata: ["settled": "\(summary.settled)", "retries": "\(summary.retries)"])
        return summary
    }

    // MARK: - Actions

    /// Carries out `action`; returns false when the run is over.
    private func perform(_ action: StateMachine.Action, group: inout TaskGroup<Void>) async -> Bool {
        switch action {
        case .poll:
            let source = source
            let continuation = continuation
            group.addTask {
                do {
                    continuation.yield(.polled(.success(try await source.pendingJobs())))
                } catch {
                    continuation.yield(.polled(.failure(.init(message: "\(error)"))))
                }
            }
        case .prepare(let job):
            startPreparation(job)
        case .run(let candidate):
            let pipeline = pipeline
            let continuation = continuation
            group.addTask {
                let address = candidate.job.address
                let result = await pipeline.process(
                    candidate.job, firstSeen: candidate.firstSeen, prepared: candidate.prepared
                ) { phase in
                    continuation.yield(.jobMoved(address, phase))
                }
                continuation.yield(.jobFinished(candidate.job, result))
            }
        case .schedule(let event, let delay):
            schedule(after: delay, in: &group) { event }
        case .probeFunds(let delay):
            let monitor = balanceMonitor
            let logger = logger
            schedule(after: delay, in: &group) {
                do {
                    return .funds(try await monitor.balance())
                } catch {
                    logger.warning("balance probe failed", metadata: ["error": "\(error)"])
                    return .funds(nil)
                }
            }
        case .probeJournal(let delay):
            let journal = journal
            let bytes = options.journalProbeBytes
            let retention = options.journalRetention
            let clock = clock
            schedule(after: delay, in: &group) {
                // Pruning needs no new pages, so it can make room even on a full disk.
                if let retention { _ = try? await Self.pruneExpired(journal, retention: retention, now: clock.now) }
                return .journalProbed(writable: (try? await journal.checkWritable(reserving: bytes)) != nil)
            }
        case .resumeSettlement:
            await gate.resume()
            metrics.settlementPaused(false)
        case .cancelPreparations:
            cancelPreparations()
        case .cancelRunning:
            group.cancelAll()
        case .recordPoll(let succeeded):
            metrics.poll(succeeded: succeeded)
            if succeeded { await health?.pollSucceeded(at: clock.now) }
        case .recordBalance(let balance):
            metrics.balance(lamports: balance)
        case .recordJournalPaused(let paused):
            metrics.journalPaused(paused)
        case .log(let level, let message, let metadata):
            logger.log(level: level, message, metadata: metadata)
        case .stop:
            return false
        }
        return true
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

    /// Reports what `event` returns after `delay`, unless the group is cancelled first.
    private func schedule(
        after delay: Duration, in group: inout TaskGroup<Void>,
        _ event: @escaping @Sendable () async -> StateMachine.Event
    ) {
        let clock = clock
        let continuation = continuation
        group.addTask {
            guard (try? await clock.sleep(for: delay)) != nil, !Task.isCancelled else { return }
            continuation.yield(await event())
        }
    }

    // MARK: - Background work

    private func startBackgroundDiscovery(_ group: inout TaskGroup<Void>) {
        let source = source
        let continuation = continuation
        let interval = options.pollInterval
        let clock = clock
        group.addTask {
            for await update in source.jobUpdates() {
                if Task.isCancelled { return }
                continuation.yield(.update(update))
            }
        }
        group.addTask {
            while (try? await clock.sleep(for: interval)) != nil, !Task.isCancelled {
                continuation.yield(.pollDue)
            }
        }
    }

    /// Prunes the result documents of jobs finished longer than `journalRetention` ago: at start, then hourly.
    private func startRetention(_ group: inout TaskGroup<Void>) {
        guard let retention = options.journalRetention else { return }
        let journal = journal
        let logger = logger
        let clock = clock
        group.addTask {
            repeat {
                do {
                    let pruned = try await Self.pruneExpired(journal, retention: retention, now: clock.now)
                    if pruned > 0 {
                        logger.info(
                            "pruned the result documents of finished jobs past JOURNAL_RETENTION",
                            metadata: ["jobs": "\(pruned)"])
                    }
                } catch {
                    logger.warning(
                        "pruning the journal failed; trying again in an hour", metadata: ["error": "\(error)"])
                }
            } while (try? await clock.sleep(for: .seconds(3600))) != nil && !Task.isCancelled
        }
    }

    /// Drops the result documents of jobs finished more than `retention` before `now`.
    private static func pruneExpired(_ journal: Journal, retention: Duration, now: Date) async throws(JournalError)
        -> Int
    {
        try await journal.pruneResultDocuments(settledBefore: now.addingTimeInterval(-retention.inSeconds))
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
