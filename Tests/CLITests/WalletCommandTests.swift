import DevnetSupport
import Foundation
import Testing

/// balance and airdrop against the shared devnet; an unreachable node.
@Suite(.endToEnd) struct WalletCommandTests {
    @Test func airdropFundsAFreshKeypairAndBalanceShowsIt() async throws {
        let devnet = try await Devnet.shared()
        let cli = try CLI(devnet: devnet)
        defer { cli.cleanUp() }
        let address = try await cli.run(["keygen"]).firstLine

        let empty = try await cli.run(["balance"])
        #expect(empty.status == 0, "\(empty)")
        #expect(empty.stdout.contains("0 SOL (0 lamports)"))
        #expect(
            empty.stderr.contains("warning") && empty.stderr.contains("cloudmesh-worker airdrop"),
            "\(empty)")

        let airdrop = try await cli.run(["airdrop", "1.5"])
        #expect(airdrop.status == 0, "\(airdrop)")
        #expect(airdrop.stdout.contains("airdropped 1.5 SOL to \(address)"))

        let funded = try await cli.run(["balance"])
        #expect(funded.status == 0)
        #expect(
            funded.stdout.contains(address) && funded.stdout.contains("1.5 SOL (1500000000 lamports)"),
            "\(funded)")
        #expect(!funded.stderr.contains("warning"), "\(funded)")

        let json = try await cli.run(["balance", "--json"])
        #expect(
            json.firstLine == #"{"address": "\#(address)", "lamports": 1500000000, "sol": "1.5"}"#,
            "\(json)")

        let bad = try await cli.run(["airdrop", "lots"])
        #expect(bad.status == 2 && bad.stderr.contains("is not an amount of SOL"), "\(bad)")
    }

    @Test func anUnreachableNodeSuggestsStartingTheDevnet() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run(["keygen"]).status == 0)
        for arguments in [["balance"], ["jobs"], ["show", "11111111111111111111111111111112"]] {
            let output = try await cli.run(
                arguments, extraEnvironment: ["SOLANA_RPC_URL": "http://127.0.0.1:1"])
            #expect(output.status == 1, "\(arguments): \(output)")
            #expect(output.stderr.contains("is the validator running?"), "\(output)")
            #expect(output.stderr.contains("scripts/devnet.sh"), "\(output)")
        }
    }

    @Test func anUnfundedWalletCannotSubmitOrCancel() async throws {
        let devnet = try await Devnet.shared()
        let cli = try CLI(devnet: devnet)
        defer { cli.cleanUp() }
        let address = try await cli.run(["keygen"]).firstLine
        let file = try cli.write("hello.py", "print('hello')\n")

        let submit = try await cli.run(["submit", file, "--title", "unfunded"])
        #expect(submit.status == 4, "\(submit)")
        #expect(submit.stderr.contains("\(address) has 0 SOL"), "\(submit)")
        #expect(submit.stderr.contains("cloudmesh-worker airdrop"), "\(submit)")
        #expect(submit.stdout.isEmpty)

        let someone = try await devnet.control("/jobs", ["title": "someone-else", "code": "print(1)"])
        let foreignJob = try #require(someone["job"].string)
        try await DevnetJobs.waitForStatus(devnet, job: foreignJob, "Pending")
        let cancel = try await cli.run(["cancel", foreignJob])
        #expect(cancel.status == 4, "\(cancel)")
        #expect(
            cancel.stderr.contains("cannot pay for cancel_job") && cancel.stderr.contains("airdrop"),
            "\(cancel)")
    }
}
