import Foundation
import Logging
import Prometheus
import Retry
import Solana
import Worker

/// A worker wired to fakes, with a journal in a fresh temporary directory. `restart()` drops the service and
/// reopens the journal from disk, as a restarted process would.
package final class Harness: Sendable {
    package let directory: String
    package let chain = FakeChain()
    package let source: FakeJobSource
    package let fetcher = FakeFetcher()
    package let executor = FakeExecutor()
    package let publisher = FakePublisher()
    package let settler: FakeSettler
    package let lines = Locked<[String]>([])
    package let metrics: WorkerMetrics
    package let registry: PrometheusRegistryBox
    package let worker = TestJobs.key(250)

    package init() {
        directory = NSTemporaryDirectory() + "worker-tests-" + UUID().uuidString
        source = FakeJobSource(chain: chain)
        settler = FakeSettler(chain: chain)
        let (metrics, registry) = WorkerMetrics.prometheus()
        self.metrics = metrics
        self.registry = PrometheusRegistryBox(registry: registry)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    package var logger: Logger {
        let lines = lines
        let factory = WorkerLogging.makeHandler(
            format: .text, level: .debug, sink: LogSink { line in lines.withLock { $0.append(line) } })
        return Logger(label: "test", factory: factory)
    }

    /// Adds a job to the chain, with code the fetcher can serve.
    @discardableResult
    package func addJob(
        _ seed: UInt8, code: String? = nil, startTime: Int64? = nil, title: String? = nil, codeCID: String? = nil
    ) -> PendingJob {
        let job = TestJobs.job(seed, title: title, codeCID: codeCID, startTime: startTime)
        chain.add(job)
        fetcher.code.withLock { $0[job.codeCID] = Array((code ?? "print(\(seed))").utf8) }
        return job
    }

    package func openJournal() throws -> Journal { try Journal(directory: directory) }

    package func pipeline(
        journal: Journal, gate: SettlementGate,
        backoff: Backoff = Backoff(initial: .milliseconds(10), maximum: .milliseconds(50)),
        codeFetchTimeout: Duration = .seconds(30), codeRetrievalDeadline: Duration = .seconds(600),
        batching: SettlementBatching = .single,
        dependencies: any DependencyPreparer = NoDependencyInstaller(reason: "none configured")
    ) -> JobPipeline {
        JobPipeline(
            stages: .init(
                source: source, fetcher: fetcher, executor: executor, publisher: publisher, settler: settler,
                dependencies: dependencies),
            options: .init(
                workerAddress: worker, costLamports: 1_000_000, maxCodeBytes: 1024, backoff: backoff,
                codeFetchTimeout: codeFetchTimeout, codeRetrievalDeadline: codeRetrievalDeadline,
                settlementBatching: batching),
            journal: journal, gate: gate, metrics: metrics, logger: logger, random: { 0.5 })
    }

    package func service(
        journal: Journal, maxConcurrent: Int = 4, fetchConcurrency: Int? = nil, shard: WorkerShard? = nil,
        grace: Duration = .seconds(5), pollInterval: Duration = .milliseconds(50), health: HealthState? = nil,
        gate: SettlementGate = SettlementGate(), pipeline: JobPipeline? = nil,
        fundsProbeInterval: Duration = .milliseconds(20), clock: any WorkerClock = SystemWorkerClock()
    ) -> WorkerService {
        WorkerService(
            options: .init(
                maxConcurrentJobs: maxConcurrent, fetchConcurrency: fetchConcurrency,
                slowPreparationAfter: .milliseconds(100), shard: shard, pollInterval: pollInterval,
                shutdownGrace: grace,
                fundsProbeInterval: fundsProbeInterval, minimumSettlementBalance: 100_000,
                journalProbeInterval: .milliseconds(20),
                lowBalanceLamports: 10_000_000,
                oncePollAttempts: 3, pollBackoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(20))),
            journal: journal, source: source, balanceMonitor: settler,
            pipeline: pipeline ?? self.pipeline(journal: journal, gate: gate),
            gate: gate, health: health, metrics: metrics, logger: logger, clock: clock)
    }
}

/// Holds the registry (a final class) for sharing.
package struct PrometheusRegistryBox: Sendable {
    package let registry: PrometheusCollectorRegistry

    /// Boxes `registry`.
    package init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }
}
