import ArgumentParser
import Foundation
import Redaction
import Worker
import WorkerCLISupport

/// `cloudmesh-worker run`: discovers, runs, publishes and settles jobs until stopped (or, with `--once`, until
/// nothing is left).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the worker: execute pending CloudMesh jobs and settle them on-chain.",
        discussion: """
            The worker subscribes to the program's Job accounts (and polls every POLL_INTERVAL seconds as a \
            safety net), fetches each pending job's code from IPFS verified against its CID, runs it in the \
            sandbox, publishes the result document (stdout, stderr, returncode, executed_at, ...) to Pinata or \
            a Kubo node, and sends complete_job with the result CID and COST_LAMPORTS. Every step is journaled in \
            STATE_DIR first, so a restart after a crash resumes each job where it stopped: a recorded result is \
            never executed again and no second complete_job is sent while the first can still land.

            Configuration comes from the environment, then a .env file (or --env-file), then these flags (flags \
            win). On the first run the keypair at WORKER_KEYPAIR_PATH is created and its address printed with \
            the command that funds it. SIGINT/SIGTERM stop taking jobs and let running ones finish within \
            SHUTDOWN_GRACE seconds; a second signal stops at once.

            Examples:
              cloudmesh-worker run
                  run until stopped
              cloudmesh-worker run --once
                  process what is pending, then exit (cron, tests)
              cloudmesh-worker run --env-file worker.env --metrics-addr 127.0.0.1:9090
                  settings from worker.env; Prometheus /metrics and /healthz on port 9090
              cloudmesh-worker run --shard 1/2 --state-dir ./w1
                  one of two workers splitting the jobs (the other runs --shard 2/2)
              SANDBOX=none cloudmesh-worker run --once
                  run without isolation (trusted code only; said loudly at start)

            Exit status: 0 when the worker stopped normally (--once: nothing left to take), 1 when it failed \
            while running, 2 for configuration errors (each problem printed with the variable to set).
            """
    )

    @OptionGroup var common: ConfigurationOptions

    @Flag(help: "Process the pending jobs, then exit 0 when nothing this worker may take is left.")
    var once = false

    @Option(
        name: .customLong("env-file"), help: "Read KEY=value settings from this file instead of ./.env."
    )
    var envFile: String?

    @Option(
        name: .customLong("ws-url"),
        help: "Solana PubSub endpoint [SOLANA_WS_URL, default: RPC port + 1].")
    var webSocketURL: String?

    @Option(
        name: .customLong("gateway"),
        help: "IPFS gateways, comma-separated, tried in turn [IPFS_GATEWAY_URL].")
    var gateways: String?

    @Option(
        name: .customLong("ipfs-api-url"),
        help: "Kubo RPC endpoint to publish to when no Pinata JWT is set [IPFS_API_URL].")
    var ipfsAPIURL: String?

    @Option(
        name: .customLong("poll-interval"), help: "Seconds between polls [POLL_INTERVAL, default 10].")
    var pollInterval: String?

    @Option(
        name: .customLong("execution-timeout"),
        help: "Seconds of wall time per job [EXECUTION_TIMEOUT, default 60].")
    var executionTimeout: String?

    @Option(
        name: .customLong("cost-lamports"),
        help: "Lamports charged per job [COST_LAMPORTS, default 1000000].")
    var costLamports: String?

    @Option(
        name: .customLong("max-concurrent-jobs"),
        help: "Jobs run at once [MAX_CONCURRENT_JOBS, default: cores].")
    var maxConcurrentJobs: String?

    @Option(
        name: .customLong("shard"), help: "k/n: take only the jobs of shard k of n [WORKER_SHARD].")
    var shard: String?

    @Option(
        name: .customLong("sandbox"),
        help: "bwrap, or none to run without isolation [SANDBOX, default bwrap].")
    var sandbox: String?

    @Option(
        name: .customLong("metrics-addr"),
        help: "Serve /metrics and /healthz at host:port [METRICS_ADDR].")
    var metricsAddress: String?

    @Option(name: .customLong("log-format"), help: "text or json [LOG_FORMAT, default text].")
    var logFormat: String?

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical [LOG_LEVEL].")
    var logLevel: String?

    @Flag(name: .customLong("no-subscribe"), help: "Discover jobs by polling only [SUBSCRIBE=false].")
    var noSubscribe = false

    /// The flags given, keyed by configuration variable.
    var flags: [String: String] {
        typealias Name = WorkerConfiguration.Name
        let pairs: [(Name, String?)] = [
            (.webSocketURL, webSocketURL), (.gatewayURLs, gateways), (.ipfsAPIURL, ipfsAPIURL),
            (.pollInterval, pollInterval), (.executionTimeout, executionTimeout), (.costLamports, costLamports),
            (.maxConcurrentJobs, maxConcurrentJobs), (.shard, shard), (.sandbox, sandbox),
            (.metricsAddress, metricsAddress), (.logFormat, logFormat), (.logLevel, logLevel),
            (.subscribe, noSubscribe ? "false" : nil),
        ]
        var flags = common.flags
        for (name, value) in pairs {
            if let value { flags[name.rawValue] = value }
        }
        return flags
    }

    /// Loads the configuration and runs the worker; failures print one line per problem and exit 1 or 2.
    func run() async throws {
        do {
            let loaded: WorkerConfiguration
            do {
                loaded = try WorkerRuntime.loadConfiguration(flags: flags, envFile: envFile)
            } catch {
                throw WorkerRuntimeError(error)
            }
            _ = try await WorkerRuntime(configuration: loaded, options: .init(once: once, envFile: envFile)).run()
        } catch let error as WorkerRuntimeError {
            let heading = error.kind == .configuration ? "configuration error" : "error"
            for line in error.lines {
                let shown = CredentialRedaction.redact(line)
                FileHandle.standardError.write(Data("cloudmesh-worker: \(heading): \(shown)\n".utf8))
            }
            throw ExitCode(error.exitCode)
        }
    }
}
