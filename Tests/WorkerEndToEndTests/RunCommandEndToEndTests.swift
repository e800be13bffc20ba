import DevnetSupport
import Foundation
import Solana
import Testing
import Worker
import WorkerTesting

/// The `run` command's start-up: configuration errors, the first run's keypair, the sandbox announcement.
@Suite("End to end: starting the worker", .endToEnd, .timeLimit(.minutes(5)))
struct RunCommandEndToEndTests {
    private func scratchDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "run-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("Configuration errors exit 2 with one line per problem naming what to set")
    func configurationErrors() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let invalid = try WorkerProcess(
            name: "invalid", directory: directory,
            environment: ["POLL_INTERVAL": "soon", "WORKER_SHARD": "3/2", "PINATA_JWT": "secret-jwt-value"],
            arguments: ["--once", "--sandbox", "docker"])
        #expect(try await invalid.waitForExit(timeout: .seconds(30)) == .init(signaled: false, status: 2))
        let lines = invalid.log.split(separator: "\n")
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.contains { $0.contains("POLL_INTERVAL=\"soon\"") && $0.contains("Set POLL_INTERVAL") })
        #expect(lines.contains { $0.contains("WORKER_SHARD=\"3/2\"") && $0.contains("Set WORKER_SHARD") })
        #expect(lines.contains { $0.contains("SANDBOX=\"docker\"") && $0.contains("Set SANDBOX to bwrap or none") })
        #expect(!invalid.log.contains("secret-jwt-value"))

        let unpublishable = try WorkerProcess(
            name: "no-publisher", directory: directory, environment: [:], arguments: ["--once"])
        #expect(try await unpublishable.waitForExit(timeout: .seconds(30)) == .init(signaled: false, status: 2))
        #expect(unpublishable.log.contains("Set PINATA_JWT"))

        let keypairPath = directory.appendingPathComponent("broken-keypair.json").path
        #expect(FileManager.default.createFile(atPath: keypairPath, contents: Data("[1, 2, 3]".utf8)))
        let brokenKeypair = try WorkerProcess(
            name: "broken-keypair", directory: directory,
            environment: ["PINATA_JWT": "jwt", "WORKER_KEYPAIR_PATH": keypairPath], arguments: ["--once"])
        #expect(try await brokenKeypair.waitForExit(timeout: .seconds(30)) == .init(signaled: false, status: 2))
        #expect(brokenKeypair.log.contains("holds 3 numbers, expected 64"))

        let missingPython = try WorkerProcess(
            name: "no-python", directory: directory,
            environment: [
                "PINATA_JWT": "jwt", "WORKER_KEYPAIR_PATH": directory.appendingPathComponent("k.json").path,
                "SANDBOX_PYTHON": "/nonexistent/python3", "STATE_DIR": directory.appendingPathComponent("s").path,
            ],
            arguments: ["--once"])
        #expect(try await missingPython.waitForExit(timeout: .seconds(30)) == .init(signaled: false, status: 2))
        #expect(missingPython.log.contains("the sandbox cannot run jobs"))
        #expect(missingPython.log.contains("SANDBOX_PYTHON"))
    }

    @Test("First run: the keypair is created 0600 with the airdrop command; SANDBOX=none is announced loudly")
    func firstRun() async throws {
        let devnet = try await Devnet.shared()
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keypairPath = directory.appendingPathComponent("new-keypair.json").path
        let worker = try WorkerProcess(
            name: "first-run", directory: directory,
            environment: [
                "SOLANA_RPC_URL": devnet.endpoints.rpcURL, "PINATA_JWT": devnet.pinataJWT,
                "PINATA_API_URL": devnet.endpoints.pinataURL, "IPFS_GATEWAY_URL": devnet.endpoints.gatewayURL,
                "WORKER_KEYPAIR_PATH": keypairPath, "STATE_DIR": directory.appendingPathComponent("state").path,
                "SANDBOX": "none", "POLL_INTERVAL": "1",
                // A program without jobs, so that this worker takes none of the other tests'.
                "PROGRAM_ID": "11111111111111111111111111111112",
            ],
            arguments: ["--once"])
        #expect(try await worker.waitForExit(timeout: .seconds(60)) == .init(signaled: false, status: 0))
        let keypair = try Keypair(contentsOfFile: keypairPath)
        let mode = try FileManager.default.attributesOfItem(atPath: keypairPath)[.posixPermissions] as? Int
        #expect(mode.map { $0 & 0o777 } == 0o600)
        let address = keypair.publicKey.base58
        #expect(worker.output.contains("Worker address: \(address)"))
        #expect(worker.output.contains("solana airdrop 2 \(address) --url \(devnet.endpoints.rpcURL)"))
        #expect(worker.output.contains("cloudmesh-worker airdrop"))
        #expect(worker.output.contains("once run finished: settled 0"))
        #expect(worker.log.contains("low balance"))
        #expect(worker.log.contains(" critical SANDBOX=none: JOB CODE RUNS WITHOUT ISOLATION"))
    }

    @Test("A second worker on the same STATE_DIR refuses to start; SIGTERM stops the first with status 0")
    func oneWorkerPerStateDirectory() async throws {
        let devnet = try await Devnet.shared()
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "SOLANA_RPC_URL": devnet.endpoints.rpcURL, "PINATA_JWT": devnet.pinataJWT,
            "PINATA_API_URL": devnet.endpoints.pinataURL, "IPFS_GATEWAY_URL": devnet.endpoints.gatewayURL,
            "WORKER_KEYPAIR_PATH": directory.appendingPathComponent("keypair.json").path,
            "STATE_DIR": directory.appendingPathComponent("state").path, "SANDBOX": "none", "POLL_INTERVAL": "1",
            "PROGRAM_ID": "11111111111111111111111111111112",
        ]
        let first = try WorkerProcess(name: "first", directory: directory, environment: environment, arguments: [])
        let deadline = ContinuousClock.now + .seconds(60)
        while !first.log.contains("worker starting") {
            guard ContinuousClock.now < deadline else {
                Issue.record("the first worker did not start: \(first.tail())")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let second = try WorkerProcess(
            name: "second", directory: directory, environment: environment, arguments: ["--once"])
        #expect(try await second.waitForExit(timeout: .seconds(30)) == .init(signaled: false, status: 1))
        #expect(second.log.contains("another worker is running with STATE_DIR"))
        first.send(SIGTERM)
        #expect(try await first.waitForExit(timeout: .seconds(30)) == .init(signaled: false, status: 0))
        #expect(first.output.contains("stopped by a signal"))
    }
}
