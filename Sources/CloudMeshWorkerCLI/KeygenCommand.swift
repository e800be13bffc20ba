import ArgumentParser
import Foundation
import Solana

/// `keygen`: creates the worker's keypair file.
struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create a new keypair file (mode 0600) and print its address.",
        discussion: """
            Writes a fresh ed25519 keypair in the Solana CLI format (a JSON array of 64 numbers) to \
            WORKER_KEYPAIR_PATH (--keypair), readable only by you. An existing file is never replaced unless \
            you pass --force: the old key, and any SOL it holds, would be lost. Next: fund the address \
            (`cloudmesh-worker airdrop 2` on a local validator) and check it with `cloudmesh-worker balance`.

            Examples:
              cloudmesh-worker keygen
              cloudmesh-worker keygen --keypair ~/.config/cloudmesh/worker.json
            """)

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Replace an existing keypair file (its key is lost).")
    var force = false

    func run() async throws {
        let context = try CommandContext.load(options)
        let path = context.configuration.keypairPath
        if FileManager.default.fileExists(atPath: path), !force {
            let existing = (try? Keypair(contentsOfFile: path)).map { " (address \($0.publicKey))" } ?? ""
            throw CLIError(
                .usage, "a keypair already exists at \(path)\(existing); refusing to overwrite it",
                fix: "pass --force to replace it (its key is lost), or choose another path with --keypair")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let keypair = Keypair.generate()
        try keypair.save(toFile: path)
        Console.note("wrote \(path) (mode 0600); keep it secret and back it up")
        print(keypair.publicKey.base58)
    }
}
