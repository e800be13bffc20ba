import ArgumentParser
import Worker

/// The configuration flags every command shares. They override the environment and `.env`, which use the
/// variable names shown (see `cloudmesh-worker --help` and the README for every variable).
struct ConfigurationOptions: ParsableArguments {
    @Option(
        name: .customLong("rpc-url"),
        help: "Solana JSON-RPC endpoint [SOLANA_RPC_URL, default http://localhost:8899].")
    var rpcURL: String?

    @Option(
        name: .customLong("keypair"),
        help: "Keypair file, Solana CLI format [WORKER_KEYPAIR_PATH, default ./worker-keypair.json].")
    var keypairPath: String?

    @Option(name: .customLong("program-id"), help: "CloudMesh program id [PROGRAM_ID].")
    var programID: String?

    @Option(
        name: .customLong("state-dir"),
        help: "The worker's journal directory [STATE_DIR, default ./.cloudmesh-worker].")
    var stateDirectory: String?

    /// The flags given, by variable name.
    var flags: [String: String] {
        var flags: [String: String] = [:]
        flags[WorkerConfiguration.Name.rpcURL.rawValue] = rpcURL
        flags[WorkerConfiguration.Name.keypairPath.rawValue] = keypairPath
        flags[WorkerConfiguration.Name.programID.rawValue] = programID
        flags[WorkerConfiguration.Name.stateDirectory.rawValue] = stateDirectory
        return flags
    }
}
