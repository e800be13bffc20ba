import CoreMetrics
import Foundation
import Prometheus

/// The worker's metrics, created through an explicit factory (no global bootstrap needed, so tests and
/// several workers in one process do not collide).
///
/// Names (Prometheus): `cloudmesh_jobs_total{outcome}`, `cloudmesh_job_retries_total{stage}`,
/// `cloudmesh_stage_duration_seconds{stage}`, `cloudmesh_pickup_latency_seconds`,
/// `cloudmesh_rpc_errors_total{stage}`, `cloudmesh_ipfs_errors_total{stage}`, `cloudmesh_dependency_errors_total`, `cloudmesh_polls_total{result}`,
/// `cloudmesh_balance_lamports`, `cloudmesh_jobs_in_flight`, `cloudmesh_settlement_paused`,
/// `cloudmesh_unusable_accounts_total{reason}`, `cloudmesh_settlement_transactions_total`,
/// `cloudmesh_settlement_jobs_total` (their ratio is the mean batch size); for jobs' PEP 723 dependencies
/// `cloudmesh_environment_acquisitions_total{result="hit|miss"}`, `cloudmesh_environment_resolutions_total`,
/// `cloudmesh_environment_build_seconds` (one observation per build), `cloudmesh_environment_evictions_total`,
/// `cloudmesh_environments` and `cloudmesh_environment_cache_bytes`.
package struct WorkerMetrics: Sendable {
    private let factory: any MetricsFactory

    /// Metrics recorded through `factory`.
    package init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Metrics kept in a fresh Prometheus registry, returned alongside for `/metrics`.
    package static func prometheus() -> (metrics: WorkerMetrics, registry: PrometheusCollectorRegistry) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.environmentBuildLabel] = Self.environmentBuildBuckets
        return (WorkerMetrics(factory: factory), registry)
    }

    /// The label of the environment build histogram.
    static let environmentBuildLabel = "cloudmesh_environment_build_seconds"

    /// Buckets of the environment build histogram: a build takes from about 150 ms (one small pure-Python wheel
    /// from a near index, `bench/dependencies.py`) to `DEPENDENCY_TIMEOUT` (120 s by default).
    static let environmentBuildBuckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10), .seconds(20), .seconds(30), .seconds(60), .seconds(120), .seconds(300),
    ]

    /// A job reached a terminal state.
    package func jobFinished(_ state: JobState) {
        Counter(label: "cloudmesh_jobs_total", dimensions: [("outcome", state.rawValue)], factory: factory).increment()
    }

    /// A job will be retried after a transient failure in `stage`.
    package func retryScheduled(stage: PipelineStage) {
        Counter(label: "cloudmesh_job_retries_total", dimensions: [("stage", stage.rawValue)], factory: factory)
            .increment()
    }

    /// A stage took `seconds`.
    package func stageDuration(_ stage: PipelineStage, seconds: Double) {
        Timer(label: "cloudmesh_stage_duration_seconds", dimensions: [("stage", stage.rawValue)], factory: factory)
            .recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// Time from a job being seen to its execution starting.
    package func pickupLatency(seconds: Double) {
        Timer(label: "cloudmesh_pickup_latency_seconds", dimensions: [], factory: factory)
            .recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// A stage failed; counted as an RPC or IPFS error by the system it talks to.
    package func stageError(_ stage: PipelineStage) {
        switch stage.system {
        case "rpc":
            Counter(label: "cloudmesh_rpc_errors_total", dimensions: [("stage", stage.rawValue)], factory: factory)
                .increment()
        case "ipfs":
            Counter(label: "cloudmesh_ipfs_errors_total", dimensions: [("stage", stage.rawValue)], factory: factory)
                .increment()
        case "index":
            Counter(label: "cloudmesh_dependency_errors_total", dimensions: [], factory: factory).increment()
        default: Counter(label: "cloudmesh_sandbox_errors_total", dimensions: [], factory: factory).increment()
        }
    }

    /// A poll ended (`ok` or `error`); poll errors also count as RPC errors.
    package func poll(succeeded: Bool) {
        Counter(label: "cloudmesh_polls_total", dimensions: [("result", succeeded ? "ok" : "error")], factory: factory)
            .increment()
        if !succeeded {
            Counter(label: "cloudmesh_rpc_errors_total", dimensions: [("stage", "poll")], factory: factory).increment()
        }
    }

    /// An account the program owns that is not a usable Job (malformed or foreign), counted once per address.
    package func unusableAccount(reason: String) {
        Counter(label: "cloudmesh_unusable_accounts_total", dimensions: [("reason", reason)], factory: factory)
            .increment()
    }

    /// The worker's balance.
    package func balance(lamports: UInt64) {
        Gauge(label: "cloudmesh_balance_lamports", dimensions: [], factory: factory).record(Double(lamports))
    }

    /// Jobs running now.
    package func inFlight(_ count: Int) {
        Gauge(label: "cloudmesh_jobs_in_flight", dimensions: [], factory: factory).record(count)
    }

    /// Jobs in the preparation stage: code fetches in flight, and prepared jobs waiting for an execution slot.
    package func preparation(fetching: Int, ready: Int) {
        Gauge(label: "cloudmesh_fetches_in_flight", dimensions: [], factory: factory).record(fetching)
        Gauge(label: "cloudmesh_jobs_ready", dimensions: [], factory: factory).record(ready)
    }

    /// Whether a full disk holds the worker back (1) or not (0).
    package func journalPaused(_ paused: Bool) {
        Gauge(label: "cloudmesh_journal_paused", dimensions: [], factory: factory).record(paused ? 1 : 0)
    }

    /// A complete_job transaction covering `jobs` jobs is about to be signed.
    package func settlementBatch(jobs: Int) {
        Counter(label: "cloudmesh_settlement_transactions_total", dimensions: [], factory: factory).increment()
        Counter(label: "cloudmesh_settlement_jobs_total", dimensions: [], factory: factory).increment(by: jobs)
    }

    /// Acquisitions of dependency environments since the last call: `hits` served by an environment on disk,
    /// `misses` that needed a build (their own or one already running). Zero counts still create the series.
    package func environmentAcquisitions(hits: Int, misses: Int) {
        Counter(label: "cloudmesh_environment_acquisitions_total", dimensions: [("result", "hit")], factory: factory)
            .increment(by: max(0, hits))
        Counter(label: "cloudmesh_environment_acquisitions_total", dimensions: [("result", "miss")], factory: factory)
            .increment(by: max(0, misses))
    }

    /// Resolutions of requirement lists (`uv pip compile` runs) since the last call.
    package func environmentResolutions(_ count: Int) {
        Counter(label: "cloudmesh_environment_resolutions_total", dimensions: [], factory: factory)
            .increment(by: max(0, count))
    }

    /// One environment build (`uv pip install`, successful or not) took `seconds`.
    package func environmentBuild(seconds: Double) {
        Timer(label: Self.environmentBuildLabel, dimensions: [], factory: factory)
            .recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// Environments evicted (least recently used, beyond `ENVIRONMENT_CACHE_MB`) since the last call.
    package func environmentEvictions(_ count: Int) {
        Counter(label: "cloudmesh_environment_evictions_total", dimensions: [], factory: factory)
            .increment(by: max(0, count))
    }

    /// The environments on disk now: how many, and the bytes they take.
    package func environmentCache(count: Int, bytes: UInt64) {
        Gauge(label: "cloudmesh_environments", dimensions: [], factory: factory).record(count)
        Gauge(label: "cloudmesh_environment_cache_bytes", dimensions: [], factory: factory).record(Double(bytes))
    }

    /// Whether settlement is paused (1) or not (0).
    package func settlementPaused(_ paused: Bool) {
        Gauge(label: "cloudmesh_settlement_paused", dimensions: [], factory: factory).record(paused ? 1 : 0)
    }
}
