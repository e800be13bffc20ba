import Foundation
import IPFS
import Logging
import Solana

/// Everything the worker is configured with, validated.
///
/// Load it with ``WorkerConfiguration/load(flags:environment:dotEnv:processorCount:)``; the names of the
/// variables are listed in ``WorkerConfiguration/Name``.
public struct WorkerConfiguration: Sendable, Equatable {
    /// The JSON-RPC endpoint (`SOLANA_RPC_URL`).
    public var rpcURL: URL
    /// The PubSub endpoint (`SOLANA_WS_URL`), derived from the RPC URL when not set.
    package var webSocketURL: URL
    /// Only jobs owned by this program are processed (`PROGRAM_ID`).
    public var programID: PublicKey
    /// The worker's keypair file, Solana CLI format (`WORKER_KEYPAIR_PATH`).
    public var keypairPath: String
    /// The Pinata JWT (`PINATA_JWT`, alias `VITE_PINATA_JWT`); never printed.
    public var pinataJWT: String?
    /// The Pinata API (`PINATA_API_URL`).
    public var pinataAPIURL: URL
    /// A Kubo RPC endpoint used to publish when set (`IPFS_API_URL`).
    public var ipfsAPIURL: URL?
    /// Gateways tried in turn to fetch code (`IPFS_GATEWAY_URL`, comma-separated).
    public var gatewayURLs: [URL]
    /// Seconds between polls (`POLL_INTERVAL`).
    package var pollInterval: Int
    /// Seconds between full scans of the program's Job accounts, the last resort of incremental discovery
    /// (`FULL_SCAN_INTERVAL`); `0`: only the one at start-up (and those a node without history forces).
    package var fullScanInterval: Int
    /// Seconds of wall time per job (`EXECUTION_TIMEOUT`).
    package var executionTimeout: Int
    /// Lamports charged per job (`COST_LAMPORTS`).
    package var costLamports: UInt64
    /// Jobs run at once (`MAX_CONCURRENT_JOBS`); the number of cores by default.
    package var maxConcurrentJobs: Int
    /// Code fetches in flight in each of the preparation stage's two lanes (`FETCH_CONCURRENCY`); 4 ×
    /// `maxConcurrentJobs` by default.
    package var fetchConcurrency: Int
    /// Seconds one code fetch may take across every gateway and retry (`CODE_FETCH_TIMEOUT`).
    package var codeFetchTimeout: Int
    /// Seconds after the first attempt after which a job whose code cannot be obtained is answered with an
    /// error document (`CODE_RETRIEVAL_DEADLINE`).
    package var codeRetrievalDeadline: Int
    /// Seconds the result documents of finished jobs are kept in the journal (`JOURNAL_RETENTION`).
    package var journalRetention: Int
    /// This worker's share of the jobs (`WORKER_SHARD`, `k/n`); all jobs when nil.
    package var shard: WorkerShard?
    /// How code is run (`SANDBOX`).
    package var sandbox: SandboxMode
    /// Where the journal lives (`STATE_DIR`).
    public var stateDirectory: String
    /// Log line format (`LOG_FORMAT`).
    public var logFormat: LogFormat
    /// Lowest level logged (`LOG_LEVEL`).
    public var logLevel: Logger.Level
    /// Where `/metrics` and `/healthz` are served (`METRICS_ADDR`); off when nil.
    package var metricsAddress: HostAndPort?
    /// Largest code file accepted, in bytes (`MAX_CODE_BYTES`).
    public var maxCodeBytes: Int
    /// Limits on verifying one code DAG (`CODE_MAX_LINK_VISITS`, `CODE_MAX_BLOCKS`, `CODE_MAX_DAG_DEPTH`, and
    /// `MAX_CODE_BYTES`); the first two default to figures derived from `MAX_CODE_BYTES`.
    package var codeBudget: RetrievalBudget
    /// Memory limit of the sandbox in MiB (`SANDBOX_MEMORY_MB`).
    package var sandboxMemoryMB: Int
    /// Process limit of the sandbox (`SANDBOX_MAX_PROCESSES`).
    package var sandboxMaxProcesses: Int
    /// Largest stdout or stderr kept, in bytes (`MAX_OUTPUT_BYTES`).
    public var maxOutputBytes: Int
    /// Largest encoded result document, in bytes (`MAX_RESULT_BYTES`); 4 × `maxOutputBytes` + 64 KiB by default.
    package var maxResultBytes: Int
    /// Seconds running jobs get to finish at shutdown (`SHUTDOWN_GRACE`).
    package var shutdownGrace: Int
    /// The commitment a settlement is confirmed at (`SETTLEMENT_COMMITMENT`).
    package var settlementCommitment: SettlementCommitment
    /// Compute-unit price for complete_job, in micro-lamports (`PRIORITY_FEE_MICROLAMPORTS`).
    package var priorityFeeMicroLamports: UInt64
    /// How jobs share complete_job transactions (`SETTLE_BATCH_SIZE`, `SETTLE_BATCH_WINDOW_MS`).
    package var settlementBatching: SettlementBatching
    /// Milliseconds between status checks of a complete_job transaction until it is confirmed
    /// (`CONFIRM_POLL_MS`).
    package var confirmPollMilliseconds: Int
    /// How jobs' PEP 723 dependencies are installed.
    public var dependencies: DependencySettings
    /// Balance under which the worker warns (`LOW_BALANCE_LAMPORTS`).
    public var lowBalanceLamports: UInt64
    /// Whether jobs are also discovered through a PubSub subscription (`SUBSCRIBE`); polling only when false.
    package var subscribe: Bool
}

/// The log line format.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One human-readable line per event, `key=value` metadata.
    case text
    /// One JSON object per line.
    case json
}

/// How job code is run.
package enum SandboxMode: String, Sendable, CaseIterable {
    /// Under bubblewrap with resource limits.
    case bwrap
    /// Directly, without isolation (announced loudly at start).
    case none
}

/// The commitment at which a settlement counts as done.
package enum SettlementCommitment: String, Sendable, CaseIterable {
    /// Voted on by a supermajority (about a second).
    case confirmed
    /// Rooted (about 13 seconds).
    case finalized
}

/// A `host:port` pair, as in `METRICS_ADDR=127.0.0.1:9090` (IPv6 hosts in brackets: `[::1]:9090`).
package struct HostAndPort: Sendable, Equatable, CustomStringConvertible {
    /// The host name or address.
    package var host: String
    /// The TCP port; 0 asks the system for a free one.
    package var port: Int

    /// Creates a pair.
    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; nil when the text is not of that form or the port is out of range.
    package init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        self.init(host: host, port: port)
    }

    /// `host:port`.
    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How jobs' PEP 723 dependencies are installed (`UV_PATH`, `PYTHON_INDEX_URL`, `PYTHON_PACKAGE_ALLOWLIST`,
/// `DEPENDENCY_TIMEOUT`, `MAX_ENVIRONMENT_MB`, `ENVIRONMENT_CACHE_MB`).
public struct DependencySettings: Sendable, Equatable {
    /// The uv binary; nil to look for the one set-up installed (`.venv/bin/uv` beside the working directory or
    /// the worker's checkout), then on `PATH`.
    package var uvPath: String?
    /// The simple index (PEP 503/691) packages come from; may hold credentials, never shown.
    package var indexURL: URL
    /// The distributions jobs may use, comma-separated names; nil for any.
    package var allowlist: String?
    /// Seconds one job's dependencies may take to resolve and install.
    package var timeoutSeconds: Int
    /// The largest one environment may be, in MiB.
    package var maxEnvironmentMB: Int
    /// The environments kept on disk, in MiB.
    public var cacheMB: Int
}
