import ArgumentParser
import CloudMesh
import Solana
import Worker
import WorkerCLISupport

/// `balance`: the keypair's balance.
struct BalanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balance",
        abstract: "Print the keypair's balance in SOL and lamports; warn when it is low.",
        discussion: """
            Reads the balance at confirmed commitment. Below LOW_BALANCE_LAMPORTS (default 0.01 SOL) a \
            warning is printed on standard error: a worker that cannot pay fees pauses settlement until it \
            is funded. Fund it with `cloudmesh-worker airdrop` on a local validator, or send SOL to the \
            address.

            Examples:
              cloudmesh-worker balance
              cloudmesh-worker balance --json
            """)

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Print {\"address\", \"lamports\", \"sol\"} as JSON.")
    var json = false

    func run() async throws {
        let context = try CommandContext.load(options)
        let address = try context.keypair().publicKey
        let lamports = try await context.rpcClient().getBalance(
            address, commitment: JobCatalog.commitment)
        if json {
            let object = OrderedJSON.object([
                ("address", .string(address.base58)), ("lamports", .integer(Int64(clamping: lamports))),
                ("sol", .string(Lamports.solText(lamports))),
            ])
            print(String(decoding: object.bytes, as: UTF8.self))
        } else {
            print("address  \(address)")
            print("balance  \(Lamports.solText(lamports)) SOL (\(lamports) lamports)")
        }
        let threshold = context.configuration.lowBalanceLamports
        if lamports < threshold {
            Console.note(
                "warning: the balance is below LOW_BALANCE_LAMPORTS (\(Lamports.solText(threshold)) SOL): "
                    + "a worker that cannot pay fees pauses settlement; "
                    + (context.isLocalNetwork
                        ? "fund it with `cloudmesh-worker airdrop 2`" : "send SOL to \(address)"))
        }
    }
}
