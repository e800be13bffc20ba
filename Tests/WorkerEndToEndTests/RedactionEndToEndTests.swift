import DevnetSupport
import Foundation
import Testing
import Worker
import WorkerTesting

/// The real binary, configured with credentialed URLs, never writes the credentials (the devnet ignores
/// user info and query parameters: its RPC route is `/` whatever the query, and no face checks Authorization
/// but Pinata's).
@Suite("End to end: credentials in URLs", .endToEnd, .timeLimit(.minutes(5)))
struct RedactionEndToEndTests {
    /// The credentials configured below: passwords, parameters and user names alike.
    static let secrets = ["rpcuser", "rpcsecretpw", "RPCSECRET", "WSSECRET", "gwuser", "gwsecretpw", "gwdownpw"]

    /// `url` (`http://127.0.0.1:port`) with `userinfo@` inserted after the scheme.
    private func with(userinfo: String, _ url: String) throws -> String {
        guard let range = url.range(of: "://") else { throw EndToEndFailure("not a URL: \(url)") }
        return url.replacingCharacters(in: range, with: "://\(userinfo)@")
    }

    @Test("A run with credentialed RPC, PubSub and gateway URLs settles its job and logs no credential")
    func credentialsNeverLogged() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let endpoints = stack.devnet.endpoints
        let rpcURL = try with(userinfo: "rpcuser:rpcsecretpw", endpoints.rpcURL) + "/?api-key=RPCSECRET&cluster=dev"
        // No user info in the PubSub URL: the WebSocket client reads `user@host` as the host `user` (the
        // subscription could not connect, and the resolver's error names the user).
        let wsURL = endpoints.wsURL + "/?token=WSSECRET"
        // The first "gateway" is the RPC node, which answers 404 at once, so that a gateway's failure (URL
        // included) is logged; the second serves.
        let gateways =
            (try with(userinfo: "gwuser:gwdownpw", endpoints.rpcURL)) + ","
            + (try with(userinfo: "gwuser:gwsecretpw", endpoints.gatewayURL))
        let setup = try await stack.workerSetup(
            "redaction",
            extra: [
                "SOLANA_RPC_URL": rpcURL, "SOLANA_WS_URL": wsURL, "IPFS_GATEWAY_URL": gateways, "LOG_LEVEL": "trace",
            ])
        // Run continuously (not `--once`), so that the PubSub subscription is used too.
        let job = try await stack.createJob(code: "print('redacted')")
        let worker = try stack.start(setup)
        try await stack.waitUntil("the job settled", worker: worker) { worker.log.contains(" settled signature=") }
        try await stack.waitForStatus("Completed", of: [job.address], timeout: .seconds(10), worker: worker)
        try await stack.stopGracefully(worker)

        let everything = worker.log + worker.output
        for secret in Self.secrets {
            #expect(!everything.contains(secret), "\(secret) written; log tail:\n\(worker.tail())")
        }
        #expect(worker.log.contains("worker ready"))
        #expect(!worker.log.contains("subscription lost"), "\(worker.tail())")
        let failedGateway = try with(userinfo: "REDACTED", endpoints.rpcURL)
        #expect(worker.log.contains(failedGateway), "the failing gateway is not in the log:\n\(worker.tail())")
    }

    @Test("A configuration error quoting a credentialed URL prints it redacted")
    func configurationErrorRedacted() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redaction-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let worker = try WorkerProcess(
            name: "invalid", directory: directory,
            environment: [
                "SOLANA_RPC_URL": "ftp://rpcuser:rpcsecretpw@rpc.example/?api-key=RPCSECRET", "PINATA_JWT": "jwt",
            ],
            arguments: ["--once"])
        #expect(try await worker.waitForExit(timeout: .seconds(30)) == .init(signaled: false, status: 2))
        #expect(worker.log.contains("SOLANA_RPC_URL"), "\(worker.log)")
        #expect(!worker.log.contains("rpcsecretpw") && !worker.log.contains("RPCSECRET"), "\(worker.log)")
    }
}
