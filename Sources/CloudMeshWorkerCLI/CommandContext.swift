import CloudMesh
import Foundation
import Logging
import Solana
import Worker
import WorkerCLISupport

/// What a command works with: the validated configuration and the clients built from it.
struct CommandContext {
    /// The configuration (environment, `.env`, then flags).
    let configuration: WorkerConfiguration
    /// Library log messages (warnings and up, unless LOG_LEVEL asks for debug) go to standard error.
    let logger: Logger

    /// Loads the configuration and sets up logging; call once per process.
    static func load(_ options: ConfigurationOptions) throws -> CommandContext {
        let configuration = try WorkerConfiguration.load(flags: options.flags)
        let level =
            configuration.logLevel <= .debug
            ? configuration.logLevel : max(configuration.logLevel, .warning)
        WorkerLogging.bootstrap(format: configuration.logFormat, level: level)
        return CommandContext(configuration: configuration, logger: Logger(label: "cloudmesh.cli"))
    }

    /// The program deployment configured.
    var program: CloudMeshProgram { CloudMeshProgram(programId: configuration.programID) }

    /// The keypair file's keypair; a missing file is reported with the commands that create one.
    func keypair() throws -> Keypair {
        let path = configuration.keypairPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(
                .usage, "no keypair at \(path)",
                fix: "run `cloudmesh-worker keygen` or set WORKER_KEYPAIR_PATH (--keypair)")
        }
        return try Keypair(contentsOfFile: path)
    }

    /// A client for the configured node.
    func rpcClient() throws -> SolanaRPCClient {
        try SolanaRPCClient(
            configuration: .init(
                endpoint: configuration.rpcURL.absoluteString, defaultCommitment: JobCatalog.commitment),
            logger: logger)
    }

    /// The catalog of the program's jobs.
    func catalog() throws -> JobCatalog {
        JobCatalog(client: try rpcClient(), program: program)
    }

    /// Parses a job address argument.
    static func jobAddress(_ text: String) throws -> PublicKey {
        do {
            return try PublicKey(base58: text.trimmingCharacters(in: .whitespaces))
        } catch {
            throw CLIError(
                .usage,
                "\"\(JobFormatting.sanitize(String(text.prefix(100))))\" is not a job address (\(error))",
                fix: "pass the base58 address printed by `submit` or `jobs`")
        }
    }

    /// The job at `address`, or the error for a missing one.
    func existingJob(_ address: PublicKey, catalog: JobCatalog) async throws -> Job {
        switch try await catalog.lookup(address) {
        case .found(let job):
            return job
        case .missing:
            throw CLIError(
                .notFound, "no job at \(address) (read at confirmed commitment)",
                fix: "check the address with `cloudmesh-worker jobs`, and SOLANA_RPC_URL / PROGRAM_ID")
        case .notAJob(let reason):
            throw CLIError(
                .notFound, "\(address) is not a CloudMesh job: \(reason)", fix: "check PROGRAM_ID")
        }
    }

    /// Whether `airdrop` hints apply: the RPC URL is a local network.
    var isLocalNetwork: Bool { AirdropPolicy.refusal(for: configuration.rpcURL) == nil }
}

/// Writes to standard error (progress, notes, warnings); standard output is kept for results.
enum Console {
    /// Writes one line to standard error.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Whether standard error is a terminal (progress lines are redrawn in place).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}
