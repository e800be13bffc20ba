import Foundation
import Logging
import Retry
import Solana

/// One job's way through the worker, driven by its journaled state:
/// re-check pending → fetch → execute → result document → journal → capacity check → publish → journal →
/// re-check pending → settle → journal.
///
/// Each pass loads the job's record and does the record's ``JobRecord/nextAction``, committing every step to
/// the journal before the next external effect; so a pass interrupted anywhere resumes correctly from the
/// journal: a recorded result is never executed again, a recorded CID never published again, and a journaled
/// transaction is followed rather than sent a second time.
package struct JobPipeline: Sendable {
    /// The external systems, one protocol per stage.
    package struct Stages: Sendable {
        /// Reads jobs on-chain.
        package var source: any JobSource
        /// Fetches code.
        package var fetcher: any CodeFetcher
        /// Runs code.
        package var executor: any CodeExecutor
        /// Publishes results.
        package var publisher: any ResultPublisher
        /// Sends complete_job.
        package var settler: any JobSettler
        /// Installs the dependencies a job declares (PEP 723), in the preparation stage.
        package var dependencies: any DependencyPreparer

        /// Groups the stages; without `dependencies`, a job declaring some is answered with an error document.
        package init(
            source: any JobSource, fetcher: any CodeFetcher, executor: any CodeExecutor,
            publisher: any ResultPublisher, settler: any JobSettler,
            dependencies: any DependencyPreparer = NoDependencyInstaller(reason: "none configured")
        ) {
            self.source = source
            self.fetcher = fetcher
            self.executor = executor
            self.publisher = publisher
            self.settler = settler
            self.dependencies = dependencies
        }
    }

    /// Settings of the pipeline.
    package struct Options: Sendable {
        /// This worker's address, written into result documents.
        package var workerAddress: PublicKey
        /// Lamports charged per job.
        package var costLamports: UInt64
        /// Largest code accepted.
        package var maxCodeBytes: Int
        /// Backoff after transient failures.
        package var backoff: Backoff
        /// One code fetch, across every gateway and its retries, at most (`CODE_FETCH_TIMEOUT`).
        package var codeFetchTimeout: Duration
        /// How long after the first attempt a job's code may stay unobtainable before the job is answered with
        /// an error document (`CODE_RETRIEVAL_DEADLINE`).
        package var codeRetrievalDeadline: Duration
        /// Largest encoded result document (`MAX_RESULT_BYTES`); output is cut further to fit.
        package var maxResultBytes: Int
        /// How jobs share complete_job transactions (by default one job per transaction, sent at once; the
        /// worker's configuration batches).
        package var settlementBatching: SettlementBatching

        /// Creates the options.
        package init(
            workerAddress: PublicKey, costLamports: UInt64, maxCodeBytes: Int, backoff: Backoff = .jobRetries,
            codeFetchTimeout: Duration = .seconds(90), codeRetrievalDeadline: Duration = .seconds(600),
            maxResultBytes: Int = ResultDocument.defaultMaxBytes, settlementBatching: SettlementBatching = .single
        ) {
            self.maxResultBytes = maxResultBytes
            self.settlementBatching = settlementBatching
            self.workerAddress = workerAddress
            self.costLamports = costLamports
            self.maxCodeBytes = maxCodeBytes
            self.backoff = backoff
            self.codeFetchTimeout = codeFetchTimeout
            self.codeRetrievalDeadline = codeRetrievalDeadline
        }
    }

    let stages: Stages
    let options: Options
    let journal: Journal
    let gate: SettlementGate
    let metrics: WorkerMetrics
    let logger: Logger
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    /// When a code fetch last succeeded, for any job.
    let lastCodeFetched = LastSuccess()
    /// Groups due settlements into shared transactions.
    let batcher: SettlementBatcher

    /// Creates a pipeline; `now` and `random` are injectable for deterministic tests.
    package init(
        stages: Stages, options: Options, journal: Journal, gate: SettlementGate, metrics: WorkerMetrics,
        logger: Logger, now: @escaping @Sendable () -> Date = Date.init,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.stages = stages
        self.options = options
        self.journal = journal
        self.gate = gate
        self.metrics = metrics
        self.logger = logger
        self.now = now
        self.random = random
        self.batcher = SettlementBatcher(
            settler: stages.settler, source: stages.source, options: options.settlementBatching, journal: journal,
            metrics: metrics,
            logger: logger, now: now)
    }

    /// Takes `job` as far as it can go now. `prepared` is what ``prepare(_:)`` produced (the verified code, when
    /// the job still has to run); without it the code is fetched here. `onPhase` is called as the job moves on
    /// past execution: ``RunPhase/publishing`` once its result is recorded (it no longer needs an execution slot),
    /// ``RunPhase/settling`` once only its settlement (sending and confirming complete_job) remains.
    package func process(
        _ job: PendingJob, firstSeen: Date, prepared: PreparedJob? = nil,
        onPhase: @Sendable (RunPhase) -> Void = { _ in }
    ) async -> JobRunResult {
        // Until it is queued for settlement (or leaves), a settlement batch may wait for this job.
        let ticket: UpstreamTicket
        if let prepared = prepared?.ticket { ticket = prepared } else { ticket = await upstreamTicket() }
        let result = await advance(
            job, firstSeen: firstSeen, prepared: prepared, ticket: ticket.id, onPhase: onPhase)
        await batcher.leaveUpstream(ticket.id)
        return result
    }

    /// Counts a job as on its way to settlement until the ticket is used or released.
    func upstreamTicket() async -> UpstreamTicket {
        UpstreamTicket(id: await batcher.enterUpstream(), batcher: batcher)
    }

    /// The body of ``process(_:firstSeen:prepared:onPhase:)``.
    private func advance(
        _ job: PendingJob, firstSeen: Date, prepared: PreparedJob?, ticket: UInt64,
        onPhase: @Sendable (RunPhase) -> Void
    ) async -> JobRunResult {
        var logger = logger
        logger[metadataKey: "job"] = "\(job.address)"
        logger[metadataKey: "title"] = "\(job.title)"
        var record: JobRecord?
        do {
            let begun: (JobRecord, checkedPendingAt: Date?)?
            if let prepared = prepared?.record {
                begun = (prepared, nil)
            } else {
                begun = try await recordOrBegin(job, logger: logger)
            }
            guard let (found, checkedAt) = begun else { return .dropped }
            record = found
            var checkedPending =
                checkedAt != nil || (prepared?.checkedPendingAt.map { now().timeIntervalSince($0) < 1 } ?? false)
            var code = prepared?.code
            var dependencies = prepared?.dependencies
            var phase = RunPhase.executing
            func move(to reached: RunPhase) {
                guard reached > phase else { return }
                phase = reached
                onPhase(reached)
            }
            while var current = record {
                try Task.checkCancellation()
                switch current.nextAction {
                case .settle, .resume: move(to: .settling)
                case .publish: move(to: .publishing)
                case .none, .execute: break
                }
                switch current.nextAction {
                case .none:
                    return .finished(current.state)
                case .execute:
                    current = try await execute(
                        current, code: code, dependencies: dependencies, firstSeen: firstSeen,
                        checkedPending: checkedPending, logger: logger)
                    code = nil
                    dependencies = nil
                case .publish(let document):
                    current = try await publish(current, document: document, logger: logger)
                case .settle(let cid):
                    current = try await settle(current, resultCID: cid, ticket: ticket, logger: logger)
                case .resume(let transaction, _):
                    logger.info(
                        "following the journaled transaction", metadata: ["signature": "\(transaction.signature)"])
                    let outcome = try await stage(.resume) {
                        try await stages.settler.resume(submitted: transaction, job: current.job)
                    }
                    current = try await recordOutcome(outcome, for: current, logger: logger)
                }
                checkedPending = false
                // Settling needs only the CID: a published job does not hold its document (up to
                // MAX_RESULT_BYTES) in memory while its settlement waits and confirms; the journal keeps it.
                if current.resultCID != nil { current.resultDocument = nil }
                record = current
                if current.state.isTerminal { metrics.jobFinished(current.state) }
            }
            return .dropped
        } catch let error as JournalError {
            // A journal call interrupted by cancellation (a shutdown) is not a journal failure.
            if Task.isCancelled { return .interrupted }
            logger.critical("journal failure; stopping", metadata: ["error": "\(error)"])
            return .journalFailure(error)
        } catch is SettlementPaused {
            return .awaitingFunds
        } catch {
            if Task.isCancelled || error is CancellationError { return .interrupted }
            return await failed(record, error: error, logger: logger)
        }
    }

    // MARK: - Steps

    private func execute(
        _ record: JobRecord, code prefetched: [UInt8]?, dependencies prepared: PreparedDependencies?, firstSeen: Date,
        checkedPending: Bool, logger: Logger
    ) async throws -> JobRecord {
        let job = record.job
        if !checkedPending {
            let state = try await stage(.recheck) { try await stages.source.jobState(of: job.address) }
            if state != .pending { return try await recordGone(record, state: state, logger: logger) }
        }
        // Recorded while the job runs: a crash before either write lands runs the job again all the same.
        async let started = journal.apply(.started, to: job.address, at: now())
        metrics.pickupLatency(seconds: now().timeIntervalSince(firstSeen))
        let run: Result<ResultDocument, any Error>
        do {
            run = .success(try await runCode(of: job, code: prefetched, dependencies: prepared, logger: logger))
        } catch {
            run = .failure(error)
        }
        _ = try await started
        switch run {
        case .success(let document):
            return try await journal.apply(.executed(resultDocument: document.bytes), to: job.address, at: now())
        case .failure(let failure as StageFailure) where failure.kind == .invalidJobInput:
            return try await answerInvalidInput(record, reason: "\(failure.error)", logger: logger)
        case .failure(let error):
            throw error
        }
    }

    /// Runs the job's code (fetched and its dependencies installed here when not prepared) and makes its result
    /// document.
    private func runCode(
        of job: PendingJob, code prefetched: [UInt8]?, dependencies prepared: PreparedDependencies?, logger: Logger
    ) async throws -> ResultDocument {
        let code: [UInt8]
        var dependencies = prepared
        if let prefetched {
            code = prefetched
        } else {
            code = try await fetchCode(of: job)
            logger.info("code fetched", metadata: ["bytes": "\(code.count)"])
            dependencies = try await prepareDependencies(of: code, logger: logger)
        }
        let packages = dependencies?.sitePackages
        let report: ExecutionReport
        do {
            report = try await stage(.execute) { try await stages.executor.execute(code: code, packages: packages) }
        } catch {
            await dependencies?.release()
            throw error
        }
        await dependencies?.release()
        let document = ResultDocument(
            report: report, executedAt: now(), job: job, worker: options.workerAddress,
            dependencies: dependencies?.packages, maxBytes: options.maxResultBytes)
        logger.info(
            "executed",
            metadata: [
                "returncode": "\(report.returnCode)", "timed_out": "\(report.timedOut)",
                "duration_ms": "\(document.durationMilliseconds)",
            ])
        return document
    }

    private func publish(_ record: JobRecord, document: [UInt8], logger: Logger) async throws -> JobRecord {
        let job = record.job
        let expected: String
        do {
            expected = try stages.publisher.expectedCID(of: document)
        } catch {
            throw StageFailure(stage: .publish, error: error)
        }
        if let problem = ResultCapacity.problem(resultCID: expected, job: job) {
            logger.error("result cannot be settled", metadata: ["reason": "\(problem)"])
            return try await journal.apply(.failed(reason: problem), to: job.address, at: now())
        }
        let cid = try await stage(.publish) {
            try await stages.publisher.publish(document, name: "job_result_\(job.address.base58).json")
        }
        guard cid == expected else {
            throw StageFailure(
                stage: .publish,
                error: StageError.transient("IPFS returned CID \(cid) for the result, expected \(expected)"))
        }
        logger.info("result published", metadata: ["result_cid": "\(cid)"])
        return try await journal.apply(.published(resultCID: cid), to: job.address, at: now())
    }

    private func settle(_ record: JobRecord, resultCID: String, ticket: UInt64, logger: Logger) async throws
        -> JobRecord
    {
        let job = record.job
        if await gate.isPaused { throw SettlementPaused() }
        // The batch reads every job's state once, just before signing (no read of its own per job).
        logger.info(
            "queued for settlement",
            metadata: ["batch_window_ms": "\(options.settlementBatching.windowMilliseconds)"])
        let outcome = try await stage(.settle) {
            try await batcher.settle(
                SettlementRequest(job: job, resultCID: resultCID, cost: options.costLamports), ticket: ticket)
        }
        return try await recordOutcome(outcome, for: record, logger: logger)
    }

    /// Records a settlement outcome; throws ``SettlementPaused`` for insufficient funds.
    private func recordOutcome(_ outcome: SettlementOutcome, for record: JobRecord, logger: Logger) async throws
        -> JobRecord
    {
        let address = record.address
        switch outcome {
        case .settled(let signature, let slot):
            logger.info("settled", metadata: ["signature": "\(signature)", "slot": "\(slot)"])
            return try await journal.apply(.settled(signature: signature, slot: slot), to: address, at: now())
        case .lostRace:
            logger.notice("another worker completed the job first (6003 JobAlreadyCompleted)")
            return try await journal.apply(
                .lostRace(reason: "6003 JobAlreadyCompleted: another worker completed it first"), to: address, at: now()
            )
        case .cancelled:
            logger.notice("the owner cancelled the job (6004 JobCancelled)")
            return try await journal.apply(
                .cancelled(reason: "6004 JobCancelled: cancelled by its owner"), to: address, at: now())
        case .resultDoesNotFit:
            let reason =
                "3004 AccountDidNotSerialize: the result CID \(record.resultCID ?? "") does not fit in the job account"
            logger.error("result cannot be settled", metadata: ["reason": "\(reason)"])
            return try await journal.apply(.failed(reason: reason), to: address, at: now())
        case .insufficientFunds:
            if await gate.pause(at: now()) {
                metrics.settlementPaused(true)
                logger.warning(
                    "insufficient funds for fees: settlement paused, results kept; fund the worker's address")
            }
            throw SettlementPaused()
        case .expired:
            logger.notice("the transaction expired without landing; signing again with the same result CID")
            return try await forgetSubmission(of: record)
        case .notLanded(let reason):
            logger.info(
                "the batch's transaction failed on another job; sending again with the same result CID",
                metadata: ["reason": "\(reason)"])
            return try await forgetSubmission(of: record)
        case .refused(let reason):
            return try await journal.apply(.failed(reason: reason), to: address, at: now())
        case .retryLater(let reason):
            _ = try await forgetSubmission(of: record)
            throw StageFailure(stage: .settle, error: StageError.transient(reason))
        case .notPending(let state):
            return try await recordGone(record, state: state, logger: logger)
        }
    }

    /// Moves a job whose journaled transaction can no longer land back to `published`, to be signed again.
    private func forgetSubmission(of record: JobRecord) async throws -> JobRecord {
        let current = try await journal.record(for: record.address) ?? record
        guard current.state == .submitted else { return current }
        return try await journal.apply(.expired, to: record.address, at: now())
    }

    /// Records what became of a job that is no longer pending.
    private func recordGone(_ record: JobRecord, state: OnChainJobState, logger: Logger) async throws -> JobRecord {
        let address = record.address
        switch state {
        case .pending:
            return record
        case .completed(let cid) where cid == record.resultCID && record.state == .published:
            logger.info("the job already carries our result CID", metadata: ["result_cid": "\(cid)"])
            return try await journal.apply(.settled(signature: nil, slot: nil), to: address, at: now())
        case .completed(let cid):
            logger.notice("the job was completed by another worker", metadata: ["their_result_cid": "\(cid)"])
            return try await journal.apply(
                .lostRace(reason: "completed by another worker with result \(cid)"), to: address, at: now())
        case .cancelled:
            logger.notice("the job was cancelled by its owner")
            return try await journal.apply(.cancelled(reason: "cancelled by its owner"), to: address, at: now())
        case .missing:
            // Jobs are never closed: an account that reads as missing comes from a node lagging behind the one
            // that showed it (e.g. behind a load balancer). Ask again later; nothing recorded is lost.
            throw StageFailure(
                stage: .recheck,
                error: StageError.transient("the job account reads as missing at this RPC node (a lagging node?)"))
        }
    }

    /// Handles a stage failure: transient → backoff recorded in the journal; permanent → failed.
    func failed(_ record: JobRecord?, error: any Error, logger: Logger) async -> JobRunResult {
        let failure = error as? StageFailure ?? StageFailure(stage: .recheck, error: error)
        metrics.stageError(failure.stage)
        guard let record else {
            logger.warning(
                "transient failure before the job was recorded; will retry", metadata: ["error": "\(failure.message)"])
            let delay = options.backoff.delay(afterAttempt: 1, random: random())
            return .retry(at: now().addingTimeInterval(delay.inSeconds), hasProgress: false)
        }
        do {
            let current = try await journal.record(for: record.address) ?? record
            switch failure.kind {
            case .inputUnavailable where current.state == .discovered || current.state == .running:
                let elapsed = now().timeIntervalSince(current.createdAt)
                // Only a job whose code stays unobtainable while the gateways serve other jobs' code is blamed:
                // when no fetch has succeeded since its first attempt, the gateways may be what is down.
                let gatewaysServe = lastCodeFetched.date.map { $0 > current.createdAt } ?? false
                if elapsed >= options.codeRetrievalDeadline.inSeconds, !gatewaysServe {
                    logger.warning(
                        """
                        CODE_RETRIEVAL_DEADLINE has passed, but no job's code was fetched since this job's first \
                        attempt: not blaming the job while the gateways may be down
                        """)
                }
                if elapsed >= options.codeRetrievalDeadline.inSeconds, gatewaysServe {
                    let reason =
                        "the code CID \(current.job.codeCID) could not be retrieved within CODE_RETRIEVAL_DEADLINE "
                        + "(\(Int(options.codeRetrievalDeadline.inSeconds)) s) of the first attempt at "
                        + "\(Timestamp.iso8601Microseconds(current.createdAt)): \(current.attempts + 1) attempts; "
                        + "the last failed with: \(failure.error)"
                    _ = try await answerInvalidInput(current, reason: reason, logger: logger)
                    return .retry(at: now(), hasProgress: true)
                }
                fallthrough
            case .transient, .inputUnavailable:
                let delay = options.backoff.delay(afterAttempt: current.attempts + 1, random: random())
                let retryAt = now().addingTimeInterval(delay.inSeconds)
                let updated = try await journal.apply(
                    .transientFailure(message: failure.message, retryAt: retryAt), to: record.address, at: now())
                metrics.retryScheduled(stage: failure.stage)
                logger.warning(
                    "transient failure; will retry",
                    metadata: [
                        "stage": "\(failure.stage.rawValue)", "error": "\(failure.error)",
                        "attempt": "\(updated.attempts)", "retry_in_s": "\(String(format: "%.1f", delay.inSeconds))",
                    ])
                return .retry(at: retryAt, hasProgress: updated.state != .discovered)
            case .permanent, .invalidJobInput:
                logger.error(
                    "permanent failure", metadata: ["stage": "\(failure.stage.rawValue)", "error": "\(failure.error)"])
                let updated = try await journal.apply(.failed(reason: failure.message), to: record.address, at: now())
                metrics.jobFinished(updated.state)
                return .finished(updated.state)
            }
        } catch {
            if Task.isCancelled { return .interrupted }
            logger.critical("journal failure; stopping", metadata: ["error": "\(error)"])
            return .journalFailure(error)
        }
    }

    /// Runs one stage, timing it and wrapping its errors (journal errors and cancellation pass through).
    func stage<T: Sendable>(_ stage: PipelineStage, _ body: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer {
            let elapsed = ContinuousClock.now - start
            metrics.stageDuration(stage, seconds: elapsed.inSeconds)
        }
        do {
            return try await body()
        } catch let error as JournalError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StageFailure(stage: stage, error: error)
        }
    }
}
