extension WorkerConfiguration {
    /// The names of the configuration variables (environment, `.env` and CLI flag overrides use the same).
    public enum Name: String, Sendable, CaseIterable {
        /// JSON-RPC endpoint.
        case rpcURL = "SOLANA_RPC_URL"
        /// PubSub endpoint.
        case webSocketURL = "SOLANA_WS_URL"
        /// Program id.
        case programID = "PROGRAM_ID"
        /// Keypair file.
        case keypairPath = "WORKER_KEYPAIR_PATH"
        /// Pinata JWT.
        case pinataJWT = "PINATA_JWT"
        /// Alias of `PINATA_JWT` used by the seed's `.env`.
        case pinataJWTAlias = "VITE_PINATA_JWT"
        /// Pinata API.
        case pinataAPIURL = "PINATA_API_URL"
        /// Kubo RPC endpoint.
        case ipfsAPIURL = "IPFS_API_URL"
        /// Gateways, comma-separated.
        case gatewayURLs = "IPFS_GATEWAY_URL"
        /// Poll interval in seconds.
        case pollInterval = "POLL_INTERVAL"
        /// Seconds between full scans of the program's Job accounts (`0`: never after start-up).
        case fullScanInterval = "FULL_SCAN_INTERVAL"
        /// Execution timeout in seconds.
        case executionTimeout = "EXECUTION_TIMEOUT"
        /// Cost per job in lamports.
        case costLamports = "COST_LAMPORTS"
        /// Concurrency.
        case maxConcurrentJobs = "MAX_CONCURRENT_JOBS"
        /// Code fetches in flight per lane.
        case fetchConcurrency = "FETCH_CONCURRENCY"
        /// One code fetch's deadline in seconds, across gateways and retries.
        case codeFetchTimeout = "CODE_FETCH_TIMEOUT"
        /// Seconds a job's code may stay unobtainable before the job is answered with an error document.
        case codeRetrievalDeadline = "CODE_RETRIEVAL_DEADLINE"
        /// Seconds settled jobs' result documents are kept in the journal.
        case journalRetention = "JOURNAL_RETENTION"
        /// Shard `k/n`.
        case shard = "WORKER_SHARD"
        /// Sandbox mode.
        case sandbox = "SANDBOX"
        /// Journal directory.
        case stateDirectory = "STATE_DIR"
        /// Log format.
        case logFormat = "LOG_FORMAT"
        /// Log level.
        case logLevel = "LOG_LEVEL"
        /// Metrics listen address.
        case metricsAddress = "METRICS_ADDR"
        /// Code size limit.
        case maxCodeBytes = "MAX_CODE_BYTES"
        /// Links followed while verifying one code DAG, every visit counted.
        case codeMaxLinkVisits = "CODE_MAX_LINK_VISITS"
        /// Distinct blocks in one code DAG.
        case codeMaxBlocks = "CODE_MAX_BLOCKS"
        /// Depth of one code DAG.
        case codeMaxDepth = "CODE_MAX_DAG_DEPTH"
        /// Sandbox memory limit.
        case sandboxMemoryMB = "SANDBOX_MEMORY_MB"
        /// Sandbox process limit.
        case sandboxMaxProcesses = "SANDBOX_MAX_PROCESSES"
        /// Output capture limit.
        case maxOutputBytes = "MAX_OUTPUT_BYTES"
        /// Result document size limit.
        case maxResultBytes = "MAX_RESULT_BYTES"
        /// Shutdown grace in seconds.
        case shutdownGrace = "SHUTDOWN_GRACE"
        /// Settlement commitment.
        case settlementCommitment = "SETTLEMENT_COMMITMENT"
        /// Priority fee.
        case priorityFeeMicroLamports = "PRIORITY_FEE_MICROLAMPORTS"
        /// Most jobs per complete_job transaction (`0`: as many as fit in a packet).
        case settleBatchSize = "SETTLE_BATCH_SIZE"
        /// Milliseconds the first job of a settlement batch waits for others.
        case settleBatchWindow = "SETTLE_BATCH_WINDOW_MS"
        /// Milliseconds between status checks of a complete_job transaction being confirmed.
        case confirmPollInterval = "CONFIRM_POLL_MS"
        /// The uv binary that installs jobs' dependencies.
        case uvPath = "UV_PATH"
        /// The PEP 503/691 simple index dependencies come from.
        case pythonIndexURL = "PYTHON_INDEX_URL"
        /// The distributions jobs may depend on, comma-separated (none: any).
        case pythonPackageAllowlist = "PYTHON_PACKAGE_ALLOWLIST"
        /// Seconds one job's dependencies may take to resolve and install.
        case dependencyTimeout = "DEPENDENCY_TIMEOUT"
        /// The largest one environment of dependencies may be, in MiB.
        case maxEnvironmentMB = "MAX_ENVIRONMENT_MB"
        /// The environments kept, in MiB, beyond which the least recently used are evicted.
        case environmentCacheMB = "ENVIRONMENT_CACHE_MB"
        /// Low balance warning threshold.
        case lowBalanceLamports = "LOW_BALANCE_LAMPORTS"
        /// Whether to subscribe to program changes (`false`: poll only).
        case subscribe = "SUBSCRIBE"
    }

    /// Defaults of the variables that have one (`MAX_CONCURRENT_JOBS` defaults to the number of cores).
    package static let defaults: [Name: String] = [
        .rpcURL: "http://localhost:8899",
        .programID: "2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S",
        .keypairPath: "./worker-keypair.json",
        .pinataAPIURL: "https://api.pinata.cloud",
        .gatewayURLs: "https://gateway.pinata.cloud",
        .pollInterval: "10",
        .fullScanInterval: "3600",
        .executionTimeout: "60",
        .costLamports: "1000000",
        .sandbox: "bwrap",
        .stateDirectory: "./.cloudmesh-worker",
        .logFormat: "text",
        .logLevel: "info",
        .maxCodeBytes: "1048576",
        .codeMaxDepth: "32",
        .codeFetchTimeout: "90",
        .codeRetrievalDeadline: "600",
        .journalRetention: "604800",
        .sandboxMemoryMB: "512",
        .sandboxMaxProcesses: "64",
        .maxOutputBytes: "1048576",
        .shutdownGrace: "30",
        .settlementCommitment: "confirmed",
        .priorityFeeMicroLamports: "0",
        .settleBatchSize: "0",
        .settleBatchWindow: "400",
        .confirmPollInterval: "200",
        .pythonIndexURL: "https://pypi.org/simple",
        .dependencyTimeout: "120",
        .maxEnvironmentMB: "1024",
        .environmentCacheMB: "4096",
        .lowBalanceLamports: "10000000",
        .subscribe: "true",
    ]
}
