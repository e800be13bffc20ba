import Foundation
import Solana

/// The worker's signing key, kept in a Solana CLI keypair file (`WORKER_KEYPAIR_PATH`).
package enum WorkerKeypair {
    /// What loading found.
    package struct Loaded: Sendable {
        /// The keypair.
        package var keypair: Keypair
        /// Whether the file was created just now.
        package var created: Bool
        /// A warning about the file (permissions), if any.
        package var warning: String?
    }

    /// Loads the keypair at `path`, or creates one there (mode 0600) when no file exists.
    package static func loadOrCreate(path: String) throws(KeypairFileError) -> Loaded {
        guard FileManager.default.fileExists(atPath: path) else {
            let keypair = Keypair.generate()
            try keypair.save(toFile: path)
            return Loaded(keypair: keypair, created: true, warning: nil)
        }
        let keypair = try Keypair(contentsOfFile: path)
        var warning: String?
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions]
            as? Int,
            mode & 0o077 != 0
        {
            warning =
                "the keypair file \(path) is readable by other users (mode \(String(mode & 0o777, radix: 8))); "
                + "restrict it with `chmod 600 \(path)`"
        }
        return Loaded(keypair: keypair, created: false, warning: warning)
    }

    /// The lines printed when a keypair was created: the address and how to fund it.
    package static func creationMessage(address: PublicKey, path: String, rpcURL: URL) -> [String] {
        [
            "Created a new worker keypair at \(path) (mode 0600).",
            "Worker address: \(address)",
            "Fund it so that it can pay the fees of complete_job:",
            "  solana airdrop 2 \(address) --url \(rpcURL.absoluteString)",
            "  (or, on a local devnet or test cluster: cloudmesh-worker airdrop)",
        ]
    }
}
