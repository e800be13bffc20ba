import CloudMesh
import Foundation
import IPFS
import Logging
import Retry
import Sandbox
import ServiceLifecycle
import Solana

/// The production worker assembled from a ``WorkerConfiguration``: keypair, journal, chain source, gateways,
/// sandbox, publisher, settler, and the ``WorkerService`` run loop, which runs with the metrics server in one
/// swift-service-lifecycle `ServiceGroup`: SIGTERM and SIGINT shut it down gracefully, a second one stops it at
/// once, and a `--once` run ends the group when it finishes.
///
/// ```swift
/// let configuration = try WorkerRuntime.loadConfiguration(flags: ["POLL_INTERVAL": "5"])
/// let summary = try await WorkerRuntime(configuration: configuration, options: .init(once: true)).run()
/// ```
public struct WorkerRuntime: Sendable {
    /// How the runtime talks to its surroundings.
    public struct Options: Sendable {
        /// Process what is pending and return when nothing this worker may take is left.
        package var once: Bool
        /// The process environment (crash injection, sandbox pass-through settings).
        package var environment: [String: String]
        /// Where log lines go.
        package var logSink: LogSink
        /// Where lines for the operator go (the new keypair's address, the summary): standard output.
        package var output: @Sendable (String) -> Void
        /// Whether SIGINT and SIGTERM stop the worker gracefully (a second signal stops it at once).
        package var handleSignals: Bool
        /// The settings file given with `--env-file`, kept out of the sandbox's sight like `./.env`.
        package var envFile: String?
        /// Called with the port the metrics server bound (useful with `METRICS_ADDR=127.0.0.1:0`).
        package var onMetricsServerStarted: @Sendable (Int) async -> Void

        /// Creates options; by default logs go to standard error and operator lines to standard output.
        public init(
            once: Bool, environment: [String: String] = ProcessInfo.processInfo.environment,
            logSink: LogSink = .standardError,
            output: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) },
            handleSignals: Bool = true, envFile: String? = nil,
            onMetricsServerStarted: @escaping @Sendable (Int) async -> Void = { _ in }
        ) {
            self.envFile = envFile
            self.once = once
            self.environment = environment
            self.logSink = logSink
            self.output = output
            self.handleSignals = handleSignals
            self.onMetricsServerStarted = onMetricsServerStarted
        }
    }

    /// The validated configuration.
    package let configuration: WorkerConfiguration
    /// The options.
    package let options: Options

    /// Creates a runtime; nothing happens until ``run()``.
    public init(configuration: WorkerConfiguration, options: Options) {
        self.configuration = configuration
        self.options = options
    }

    /// Loads the configuration: `flags` (keyed by ``WorkerConfiguration/Name`` raw values), then `environment`,
    /// then `envFile` (or `.env` in `workingDirectory` when it exists).
    public static func loadConfiguration(
        flags: [String: String], envFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath,
        processorCount: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(ConfigurationError) -> WorkerConfiguration {
        guard let envFile else {
            return try WorkerConfiguration.load(
                flags: flags, environment: environment, workingDirectory: workingDirectory,
                processorCount: processorCount)
        }
        let text: String
        do {
            text = try String(contentsOfFile: envFile, encoding: .utf8)
        } catch {
            throw ConfigurationError(problems: [
                .init(
                    variable: "--env-file \(envFile)", value: nil,
                    problem: "cannot be read (\(error.localizedDescription))",
                    fix: "Give the path of a readable KEY=value file.")
            ])
        }
        let dotEnv: [String: String]
        do {
            dotEnv = try DotEnv.parse(text)
        } catch {
            throw ConfigurationError(problems: [
                .init(
                    variable: envFile, value: nil, problem: error.description, fix: "Fix or remove the line.")
            ])
        }
        return try WorkerConfiguration.load(
            .init(flags: flags, environment: environment, dotEnv: dotEnv), processorCount: processorCount)
    }

    /// Builds the worker, runs it until shutdown (or, with `once`, until nothing is left), and returns what it
    /// did.
    public func run() async throws(WorkerRuntimeError) -> RunSummary {
        let configuration = configuration
        let logger = Logger(
            label: "cloudmesh.worker",
            factory: WorkerLogging.makeHandler(
                format: configuration.logFormat, level: configuration.logLevel, sink: options.logSink))
        MallocArenas.limit(environment: options.environment)
        let crash = TestCrashInjection(environment: options.environment)
        if let point = crash.point {
            logger.critical("TEST-ONLY crash injection is on", metadata: ["point": "\(point.rawValue)"])
        }

        guard
            let publisher = IPFSResultPublisher.configured(by: configuration, logger: logger)
        else {
            throw WorkerRuntimeError(
                .configuration,
                [
                    "PINATA_JWT is not set and neither is IPFS_API_URL: results cannot be published. Set PINATA_JWT "
                        + "(or VITE_PINATA_JWT) to a Pinata JWT, or IPFS_API_URL to a Kubo RPC endpoint such as "
                        + "http://127.0.0.1:5001."
                ])
        }
        let keypair = try loadKeypair(logger: logger)
        let stateLock = try StateDirectoryLock(directory: configuration.stateDirectory)
        let journal: Journal
        do {
            journal = try Journal(directory: configuration.stateDirectory)
        } catch {
            throw WorkerRuntimeError(
                error.kind == .unwritable ? .configuration : .runtime, [error.description])
        }
        let sandboxConfiguration: SandboxConfiguration
        do {
            sandboxConfiguration = try SandboxSetup.sandboxConfiguration(
                configuration, environment: options.environment)
        } catch {
            throw WorkerRuntimeError(.configuration, ["the sandbox cannot run jobs: \(error)"])
        }
        let (metrics, registry) = WorkerMetrics.prometheus()
        // The dependency set-up probes the interpreter while the sandbox's probe job runs.
        async let dependencySetup: Result<any DependencyPreparer, WorkerRuntimeError> = {
            do throws(WorkerRuntimeError) {
                return .success(
                    try await DependencySetup.start(
                        configuration.dependencies, stateDirectory: configuration.stateDirectory,
                        pythonPath: sandboxConfiguration.pythonPath, logger: logger, metrics: metrics))
            } catch {
                return .failure(error)
            }
        }()
        let runner: SandboxRunner
        do {
            runner = try await SandboxSetup.start(
                sandboxConfiguration, environment: options.environment,
                sensitivePaths: [
                    Self.absolute(configuration.keypairPath), Self.absolute(configuration.stateDirectory),
                ] + (options.envFile.map { [Self.absolute($0)] } ?? []),
                logger: logger)
        } catch {
            throw WorkerRuntimeError(.configuration, ["the sandbox cannot run jobs: \(error)"])
        }

        let dependencies = try await dependencySetup.get()

        let client: SolanaRPCClient
        do {
            client = try SolanaRPCClient(
                configuration: .init(
                    endpoint: configuration.rpcURL.absoluteString, timeout: .seconds(30),
                    defaultCommitment: .confirmed,
                    retryPolicy: Solana.RetryPolicy(
                        maxAttempts: 4, initialDelay: .milliseconds(250), maxDelay: .seconds(5))),
                logger: logger)
        } catch {
            throw WorkerRuntimeError(.configuration, ["SOLANA_RPC_URL: \(error)"])
        }
        let source = ChainJobSource(
            client: client, programID: configuration.programID,
            subscription: configuration.subscribe
                ? SolanaPubSubClient.Configuration(url: configuration.webSocketURL.absoluteString) : nil,
            metrics: metrics, logger: logger, watermarks: journal,
            fullScanInterval: configuration.fullScanInterval == 0 ? nil : .seconds(configuration.fullScanInterval))
        let settler = SolanaJobSettler(
            sender: TransactionSender(
                client: client,
                options: .init(
                    commitment: configuration.settlementCommitment == .finalized ? .finalized : .confirmed,
                    pollInterval: .milliseconds(configuration.confirmPollMilliseconds)),
                logger: logger),
            program: CloudMeshProgram(programId: configuration.programID), keypair: keypair,
            fees: .init(priorityFeeMicroLamports: configuration.priorityFeeMicroLamports), logger: logger)
        let gate = SettlementGate()
        // Held gateway requests each keep a connection: room for both preparation lanes.
        let gatewayClient = GatewayCodeFetcher.makeHTTPClient(fetchesInFlight: 2 * configuration.fetchConcurrency)
        let health = HealthState(
            journal: journal, gate: gate, maxPollAge: Double(3 * configuration.pollInterval))
        let pipeline = JobPipeline(
            stages: crash.wrapping(
                .init(
                    source: source,
                    fetcher: GatewayCodeFetcher(
                        gateways: configuration.gatewayURLs.map(\.absoluteString), budget: configuration.codeBudget,
                        httpClient: gatewayClient, logger: logger),
                    executor: SandboxCodeExecutor(runner: runner), publisher: publisher,
                    settler: settler, dependencies: dependencies)),
            options: .init(
                workerAddress: keypair.publicKey, costLamports: configuration.costLamports,
                maxCodeBytes: configuration.maxCodeBytes, codeFetchTimeout: .seconds(configuration.codeFetchTimeout),
                codeRetrievalDeadline: .seconds(configuration.codeRetrievalDeadline),
                maxResultBytes: configuration.maxResultBytes,
                settlementBatching: configuration.settlementBatching),
            journal: journal, gate: gate, metrics: metrics, logger: logger)
        let service = WorkerService(
            options: .init(configuration: configuration), journal: journal, source: source,
            balanceMonitor: settler,
            pipeline: pipeline, gate: gate, health: health, metrics: metrics, logger: logger)

        logger.info(
            "worker ready",
            metadata: [
                "address": "\(keypair.publicKey)", "program": "\(configuration.programID)",
                "rpc": "\(client.displayURL)", "publisher": "\(publisher.serviceName)",
                "max_concurrent_jobs": "\(configuration.maxConcurrentJobs)",
                "shard": "\(configuration.shard?.description ?? "all")",
                "discovery":
                    "\(configuration.subscribe && !options.once ? "subscription + polling" : "polling")",
                "state_dir": "\(configuration.stateDirectory)",
            ])
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if options.handleSignals {
            services.append(
                .init(
                    service: SecondSignal(logger: logger), successTerminationBehavior: .ignore,
                    failureTerminationBehavior: .cancelGroup))
        }
        if let address = configuration.metricsAddress {
            let server = MetricsServer(address: address, registry: registry, health: health, logger: logger)
            services.append(
                .init(
                    service: server.service(onStarted: options.onMetricsServerStarted),
                    successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore))
        }
        let worker = WorkerRunService(service: service, once: options.once)
        services.append(
            .init(
                service: worker, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup))
        var group = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: options.handleSignals ? [.sigterm, .sigint] : [],
            cancellationSignals: [], logger: logger)
        // Running jobs get SHUTDOWN_GRACE; cancelled work then has the margin to unwind before the group
        // cancels what is left, and a task that ignores cancellation ends the process after 5 s more.
        group.maximumGracefulShutdownDuration = .seconds(configuration.shutdownGrace) + Self.shutdownMargin
        group.maximumCancellationDuration = .seconds(5)
        defer {
            withExtendedLifetime(stateLock) {}
            gatewayClient.shutdown { _ in }
        }
        do {
            try await ServiceGroup(configuration: group).run()
        } catch let error as SecondSignal.Received {
            throw WorkerRuntimeError(.interrupted, [error.description])
        } catch let error as WorkerService.RunError {
            throw WorkerRuntimeError(.runtime, [error.description])
        } catch {
            throw WorkerRuntimeError(.runtime, ["\(error)"])
        }
        guard let summary = worker.summary.withLock({ $0 }) else {
            throw WorkerRuntimeError(.interrupted, ["the worker was cancelled before it finished"])
        }
        options.output(Self.describe(summary, once: options.once))
        return summary
    }

    /// One line describing what a run did.
    package static func describe(_ summary: RunSummary, once: Bool) -> String {
        let counts = JobState.allCases.filter(\.isTerminal).map {
            "\($0.rawValue) \(summary.finished[$0, default: 0])"
        }
        var text = "\(once ? "once run" : "worker") finished: " + counts.joined(separator: ", ")
        text += ", retries \(summary.retries)"
        if summary.awaitingFunds > 0 { text += ", awaiting funds \(summary.awaitingFunds)" }
        if summary.shutDown { text += " (stopped by a signal; unfinished jobs resume next start)" }
        return text
    }

    // MARK: - Pieces

    private func loadKeypair(logger: Logger) throws(WorkerRuntimeError) -> Keypair {
        let path = configuration.keypairPath
        let loaded: WorkerKeypair.Loaded
        do {
            loaded = try WorkerKeypair.loadOrCreate(path: path)
        } catch {
            throw WorkerRuntimeError(
                .configuration,
                [
                    "WORKER_KEYPAIR_PATH: \(error). Point WORKER_KEYPAIR_PATH at a Solana CLI keypair file, or at a "
                        + "path where none exists yet to have one created."
                ])
        }
        if loaded.created {
            for line in WorkerKeypair.creationMessage(
                address: loaded.keypair.publicKey, path: path, rpcURL: configuration.rpcURL)
            {
                options.output(line)
            }
        }
        if let warning = loaded.warning { logger.warning("\(warning)") }
        return loaded.keypair
    }

    /// How long a shutdown may take beyond `SHUTDOWN_GRACE` before the service group cancels what is left:
    /// time for cancelled fetches, uploads and RPC calls to unwind. The journal (committed step by step)
    /// resumes whatever was abandoned next start.
    static let shutdownMargin: Duration = .seconds(8)

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
