import Foundation
import Retry

extension WorkerService {
    /// Timing and limits of the loop.
    package struct Options: Sendable {
        /// Jobs run at once.
        package var maxConcurrentJobs: Int
        /// Preparations (code fetches) in flight in each lane (`FETCH_CONCURRENCY`); see ``Scheduler/StateMachine``.
        package var fetchConcurrency: Int
        /// Time after which a preparation moves to the slow lane.
        package var slowPreparationAfter: Duration
        /// This worker's shard.
        package var shard: WorkerShard?
        /// Time between polls.
        package var pollInterval: Duration
        /// Time running jobs get to finish after ``WorkerService/shutdown()``.
        package var shutdownGrace: Duration
        /// Time between balance probes while settlement is paused.
        package var fundsProbeInterval: Duration
        /// Balance at which settlement resumes: the fee of one complete_job, priority fee included (the same
        /// number under which the settler pauses it).
        package var minimumSettlementBalance: UInt64
        /// Time between probes of the journal while a full disk pauses the worker.
        package var journalProbeInterval: Duration
        /// Room a probe of a full journal must find before jobs are taken again: one result document.
        package var journalProbeBytes: Int
        /// How long finished jobs keep their result documents in the journal (`JOURNAL_RETENTION`); nil keeps
        /// them for ever.
        package var journalRetention: Duration?
        /// Balance under which a warning is logged at start.
        package var lowBalanceLamports: UInt64
        /// Consecutive failed polls after which a `once` run gives up.
        package var oncePollAttempts: Int
        /// Backoff between failed polls in a `once` run.
        package var pollBackoff: Backoff
        /// Jobs past execution whose settlement is queued, sent or confirming, at most: 32 or 8 per slot
        /// transactions' worth, each of up to `SETTLE_BATCH_SIZE` jobs (they hold no execution slot, and no
        /// result document in memory).
        package var maxSettling: Int

        /// Creates the options.
        package init(
            maxConcurrentJobs: Int, fetchConcurrency: Int? = nil, slowPreparationAfter: Duration = .milliseconds(250),
            shard: WorkerShard?, pollInterval: Duration, shutdownGrace: Duration,
            fundsProbeInterval: Duration = .seconds(30), minimumSettlementBalance: UInt64 = 5_000,
            journalProbeInterval: Duration = .seconds(10), journalProbeBytes: Int = Journal.healthProbeBytes,
            journalRetention: Duration? = nil, lowBalanceLamports: UInt64, oncePollAttempts: Int = 5,
            pollBackoff: Backoff = Backoff(initial: .seconds(1), maximum: .seconds(30), jitter: 0.2),
            settleBatchSize: Int = 1
        ) {
            self.maxSettling = max(32, 8 * maxConcurrentJobs) * max(1, settleBatchSize)
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
        package init(configuration: WorkerConfiguration) {
            self.init(
                maxConcurrentJobs: configuration.maxConcurrentJobs, fetchConcurrency: configuration.fetchConcurrency,
                shard: configuration.shard, pollInterval: .seconds(configuration.pollInterval),
                shutdownGrace: .seconds(configuration.shutdownGrace),
                minimumSettlementBalance: SolanaJobSettler.Fees(
                    priorityFeeMicroLamports: configuration.priorityFeeMicroLamports
                ).feeLamports,
                journalProbeBytes: configuration.maxResultBytes,
                journalRetention: configuration.journalRetention == 0 ? nil : .seconds(configuration.journalRetention),
                lowBalanceLamports: configuration.lowBalanceLamports,
                settleBatchSize: configuration.settlementBatching.maxJobs)
        }
    }

    /// The run loop stopped because it could not go on.
    package enum RunError: Error, CustomStringConvertible {
        /// The journal failed; no job is taken until it is fixed. Recorded results are kept.
        case journal(JournalError)
        /// A `once` run could not list pending jobs.
        case pollFailed(attempts: Int, lastError: String)
        /// `run` was called twice.
        case alreadyRunning

        /// Explains the stop.
        package var description: String {
            switch self {
            case .journal(let error): "stopped taking jobs: \(error)"
            case .pollFailed(let attempts, let error):
                "could not list pending jobs after \(attempts) attempts: \(error)"
            case .alreadyRunning: "the worker is already running"
            }
        }
    }
}
