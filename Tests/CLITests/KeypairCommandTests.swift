import DevnetSupport
import Foundation
import Testing

/// keygen, address, the missing keypair, help and usage errors: no chain needed.
@Suite(.endToEnd) struct KeypairCommandTests {
    @Test func keygenWritesAPrivateFileAndRefusesToOverwriteIt() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let created = try await cli.run(["keygen"])
        #expect(created.status == 0, "\(created)")
        let address = created.firstLine
        #expect((32...44).contains(address.count))
        let attributes = try FileManager.default.attributesOfItem(atPath: cli.keypairPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let numbers = try JSONDecoder().decode(
            [Int].self, from: Data(contentsOf: URL(fileURLWithPath: cli.keypairPath)))
        #expect(numbers.count == 64)

        let shown = try await cli.run(["address"])
        #expect(shown.status == 0 && shown.firstLine == address, "\(shown)")

        let refused = try await cli.run(["keygen"])
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("already exists") && refused.stderr.contains("--force"))
        #expect(refused.stderr.contains(address))
        #expect(
            try await cli.run(["address"]).firstLine == address,
            "the refused keygen must not touch the file")

        let replaced = try await cli.run(["keygen", "--force"])
        #expect(replaced.status == 0, "\(replaced)")
        #expect(replaced.firstLine != address)
        #expect(try await cli.run(["address"]).firstLine == replaced.firstLine)
    }

    @Test func keygenHonoursTheKeypairFlag() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let path = cli.directory.appendingPathComponent("keys/other.json").path
        let created = try await cli.run(["keygen", "--keypair", path])
        #expect(created.status == 0, "\(created)")
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: cli.keypairPath))
        #expect(try await cli.run(["address", "--keypair", path]).firstLine == created.firstLine)
    }

    @Test(arguments: [
        ["address"], ["balance"], ["airdrop"], ["cancel", "11111111111111111111111111111112"],
    ])
    func aMissingKeypairSaysHowToCreateOne(arguments: [String]) async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let output = try await cli.run(
            arguments, extraEnvironment: ["SOLANA_RPC_URL": "http://127.0.0.1:1"])
        #expect(output.status == 2, "\(output)")
        #expect(output.stderr.contains("no keypair at \(cli.keypairPath)"), "\(output)")
        #expect(
            output.stderr.contains("cloudmesh-worker keygen")
                && output.stderr.contains("WORKER_KEYPAIR_PATH"))
        #expect(output.stderr.split(separator: "\n").count == 1, "one line: \(output.stderr)")
    }

    @Test func aCorruptKeypairIsNamed() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        _ = try cli.write("worker-keypair.json", "[1, 2, 3]")
        let output = try await cli.run(["address"])
        #expect(output.status == 2, "\(output)")
        #expect(output.stderr.contains("holds 3 numbers, expected 64"), "\(output)")
    }

    @Test(arguments: [
        ("https://api.mainnet-beta.solana.com", "mainnet"),
        ("https://api.devnet.solana.com", "faucet.solana.com"),
        ("https://api.testnet.solana.com", "testnet"),
        ("https://rpc.example.com", "not a local network"),
    ])
    func airdropIsRefusedForPublicNetworks(url: String, expected: String) async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run(["keygen"]).status == 0)
        let output = try await cli.run(["airdrop", "1", "--rpc-url", url])
        #expect(output.status == 2, "\(output)")
        #expect(
            output.stderr.contains("airdrop refused") && output.stderr.contains(expected), "\(output)")
    }

    @Test func helpAndVersionExitZeroAndUsageErrorsExitTwo() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let help = try await cli.run(["--help"])
        #expect(help.status == 0)
        for name in [
            "keygen", "address", "balance", "airdrop", "jobs", "show", "submit", "result", "cancel",
        ] {
            #expect(help.stdout.contains("  \(name) "), "\(name) missing from --help")
        }
        #expect(help.stdout.contains("Exit status: 0 ok"))
        let submitHelp = try await cli.run(["submit", "--help"])
        #expect(
            submitHelp.status == 0 && submitHelp.stdout.contains("--wait")
                && submitHelp.stdout.contains("Examples"))
        let version = try await cli.run(["--version"])
        #expect(version.status == 0 && !version.firstLine.isEmpty)

        #expect(try await cli.run(["frobnicate"]).status == 2)
        #expect(try await cli.run(["jobs", "--status", "bogus"]).status == 2)
        let longTitle = try await cli.run([
            "submit", "x.py", "--title", String(repeating: "t", count: 33),
        ])
        #expect(longTitle.status == 2 && longTitle.stderr.contains("1 to 32 bytes"), "\(longTitle)")
        let badConfiguration = try await cli.run(["jobs"], extraEnvironment: ["POLL_INTERVAL": "soon"])
        #expect(
            badConfiguration.status == 2 && badConfiguration.stderr.contains("POLL_INTERVAL"),
            "\(badConfiguration)")
        let badAddress = try await cli.run(
            ["show", "not-an-address"], extraEnvironment: ["SOLANA_RPC_URL": "http://127.0.0.1:1"])
        #expect(
            badAddress.status == 2 && badAddress.stderr.contains("is not a job address"), "\(badAddress)")
    }
}
