import Foundation
import Logging
import Retry
import Solana
import Synchronization

/// What preparing a job produced, kept until the job gets an execution slot.
package struct PreparedJob: Sendable, Hashable {
    /// The job's verified code; nil when the job needs no execution (resumed past it, or its input was
    /// answered with an error document).
    package var code: [UInt8]?
    /// The journal holds progress for the job.
    package var hasProgress: Bool
    /// When the preparation read the job as Pending on chain (nil when it did not read it).
    package var checkedPendingAt: Date?
    /// The dependencies the code declares, installed and held until the job has run (nil when none).
    package var dependencies: PreparedDependencies?
    /// Counts the job as on its way to settlement while it waits for a slot (nil when made outside
    /// ``JobPipeline/prepare(_:)``).
    package var ticket: UpstreamTicket?
    /// The job's journal record as the preparation left it, when the job still has to execute (so it holds no
    /// result document): the run starts from it without reading the journal again, as nothing else writes a
    /// job's record while the scheduler holds the job.
    package var record: JobRecord?

    /// Creates the value.
    package init(
        code: [UInt8]?, hasProgress: Bool, checkedPendingAt: Date? = nil, dependencies: PreparedDependencies? = nil,
        ticket: UpstreamTicket? = nil, record: JobRecord? = nil
    ) {
        self.code = code
        self.hasProgress = hasProgress
        self.checkedPendingAt = checkedPendingAt
        self.dependencies = dependencies
        self.ticket = ticket
        self.record = record
    }
}

/// How a preparation ended.
package enum PreparationResult: Sendable, Hashable {
    /// The job may take an execution slot.
    case ready(PreparedJob)
    /// The job is not to run now: dropped, retried later, finished, or the journal failed.
    case ended(JobRunResult)
}

extension JobPipeline {
    /// Gets `job` ready to run without holding an execution slot: records it in the journal (after reading it
    /// Pending on chain, for a job new to the journal) and, when it still has to run, fetches and verifies its
    /// code within `codeFetchTimeout` and installs the dependencies it declares (PEP 723). A job whose own input is invalid is answered with an error document
    /// here and needs no execution. A job resumed past execution needs no code.
    package func prepare(_ job: PendingJob) async -> PreparationResult {
        var logger = logger
        logger[metadataKey: "job"] = "\(job.address)"
        logger[metadataKey: "title"] = "\(job.title)"
        var record: JobRecord?
        do {
            guard let (current, checkedPendingAt) = try await recordOrBegin(job, logger: logger) else {
                return .ended(.dropped)
            }
            record = current
            guard current.nextAction == .execute else {
                if current.state.isTerminal { return .ended(.finished(current.state)) }
                return .ready(
                    PreparedJob(
                        code: nil, hasProgress: current.state != .discovered, ticket: await upstreamTicket()))
            }
            do {
                let code = try await fetchCode(of: job)
                logger.info("code fetched", metadata: ["bytes": "\(code.count)"])
                let dependencies = try await prepareDependencies(of: code, logger: logger)
                return .ready(
                    PreparedJob(
                        code: code, hasProgress: current.state != .discovered, checkedPendingAt: checkedPendingAt,
                        dependencies: dependencies, ticket: await upstreamTicket(), record: current))
            } catch let failure as StageFailure where failure.kind == .invalidJobInput {
                _ = try await answerInvalidInput(current, reason: "\(failure.error)", logger: logger)
                return .ready(PreparedJob(code: nil, hasProgress: true, ticket: await upstreamTicket()))
            }
        } catch let error as JournalError {
            // A journal call interrupted by cancellation (a shutdown) is not a journal failure.
            if Task.isCancelled { return .ended(.interrupted) }
            logger.critical("journal failure; stopping", metadata: ["error": "\(error)"])
            return .ended(.journalFailure(error))
        } catch {
            if Task.isCancelled || error is CancellationError { return .ended(.interrupted) }
            return .ended(await failed(record, error: error, logger: logger))
        }
    }

    /// The job's journal record; a job new to the journal is first read on chain, and recorded only when it is
    /// still Pending (nil otherwise), with the instant it was read.
    func recordOrBegin(_ job: PendingJob, logger: Logger) async throws -> (JobRecord, checkedPendingAt: Date?)? {
        if let existing = try await journal.record(for: job.address) { return (existing, nil) }
        let state = try await stage(.recheck) { try await stages.source.jobState(of: job.address) }
        guard state == .pending else {
            logger.info("job is no longer pending; skipped", metadata: ["state": "\(state)"])
            return nil
        }
        let checkedAt = now()
        let record = try await journal.begin(job, at: checkedAt)
        logger.info("job accepted", metadata: ["code_cid": "\(job.codeCID)", "start_time": "\(job.startTime)"])
        return (record, checkedAt)
    }

    /// The job's verified code, fetched within `codeFetchTimeout` across every gateway and retry.
    func fetchCode(of job: PendingJob) async throws -> [UInt8] {
        let fetcher = stages.fetcher
        let maxBytes = options.maxCodeBytes
        let timeout = options.codeFetchTimeout
        let code = try await stage(.fetch) {
            try await Deadline.run(
                within: timeout,
                timeoutError: {
                    StageError.inputUnavailable(
                        "fetching the code \(job.codeCID) took longer than CODE_FETCH_TIMEOUT "
                            + "(\(Int(timeout.inSeconds)) s) across every gateway")
                }
            ) {
                try await fetcher.fetchCode(cid: job.codeCID, maxBytes: maxBytes)
            }
        }
        lastCodeFetched.record(now())
        return code
    }

    /// The dependencies `code` declares, installed (nil when it declares none).
    func prepareDependencies(of code: [UInt8], logger: Logger) async throws -> PreparedDependencies? {
        let preparer = stages.dependencies
        let started = ContinuousClock.now
        guard let prepared = try await stage(.dependencies, { try await preparer.prepare(code: code) }) else {
            return nil
        }
        logger.info(
            "dependencies ready",
            metadata: [
                "packages": "\(prepared.packages.joined(separator: ","))",
                "duration": "\(ContinuousClock.now - started)",
            ])
        return prepared
    }

    /// Answers a job whose own input is unusable with an error document (`returncode` -1, the reason in
    /// `stderr` and `error`), recorded as its result: it is published and settled like any other.
    func answerInvalidInput(_ record: JobRecord, reason: String, logger: Logger) async throws(JournalError)
        -> JobRecord
    {
        logger.warning(
            "the job's input is unusable; answering with an error document", metadata: ["reason": "\(reason)"])
        let document = ResultDocument(
            invalidInput: reason, at: now(), job: record.job, worker: options.workerAddress,
            maxBytes: options.maxResultBytes)
        return try await journal.apply(.executed(resultDocument: document.bytes), to: record.address, at: now())
    }
}

/// The last time something succeeded, shared by copies of a value type.
final class LastSuccess: Sendable {
    private let last = Mutex<Date?>(nil)

    /// The last success, if any.
    var date: Date? { last.withLock { $0 } }

    /// Records a success at `date`.
    func record(_ date: Date) {
        last.withLock { $0 = max($0 ?? date, date) }
    }
}
