import ArgumentParser
import CloudMesh
import Foundation
import Solana
import Worker
import WorkerCLISupport

/// `airdrop`: asks a local test validator's faucet for SOL.
struct AirdropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "airdrop",
        abstract: "Fund the keypair from a local test validator's faucet.",
        discussion: """
            Asks the node at SOLANA_RPC_URL for SOL (requestAirdrop) and waits until the transfer is \
            confirmed. Only local networks are asked (localhost, private addresses, single-label host names): \
            mainnet has no faucet, and the public devnet and testnet faucets are used with `solana airdrop` \
            or https://faucet.solana.com. A refusal exits with status 2.

            Examples:
              cloudmesh-worker airdrop          2 SOL
              cloudmesh-worker airdrop 0.5
            """)

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "How much SOL to ask for (up to nine decimals).")
    var sol = "2"

    @Option(help: "Seconds to wait for the transfer to be confirmed.")
    var timeout = 30

    func run() async throws {
        let context = try CommandContext.load(options)
        if let refusal = AirdropPolicy.refusal(for: context.configuration.rpcURL) {
            throw CLIError(.usage, "airdrop refused: \(refusal)")
        }
        guard let lamports = Lamports.parse(sol: sol), lamports > 0 else {
            throw CLIError(.usage, "\"\(sol)\" is not an amount of SOL", fix: "write it like 2 or 0.5")
        }
        let address = try context.keypair().publicKey
        let client = try context.rpcClient()
        let signature = try await client.requestAirdrop(to: address, lamports: lamports)
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            let status = try await client.getSignatureStatuses([signature]).first ?? nil
            if let status, status.satisfies(JobCatalog.commitment) {
                if let error = status.err {
                    throw CLIError(.failure, "the airdrop transfer \(signature) failed: \(error)")
                }
                break
            }
            guard ContinuousClock.now < deadline else {
                throw CLIError(
                    .failure, "the airdrop \(signature) was not confirmed within \(timeout) s",
                    fix: "check `cloudmesh-worker balance` in a moment, or try again")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let balance = try await client.getBalance(address, commitment: JobCatalog.commitment)
        print(
            "airdropped \(Lamports.solText(lamports)) SOL to \(address); balance \(Lamports.solText(balance)) SOL"
        )
    }
}
