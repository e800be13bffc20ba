import AsyncHTTPClient
import DevnetSupport
import Foundation
import NIOCore
import Solana
import Worker

/// A devnet for one end-to-end test, plus what the tests do with it: workers with funded keypairs and their own
/// state directories, jobs created through the control API, and reads of the chain, the gateway and journals.
package final class EndToEndStack: Sendable {
    /// A worker's identity and settings.
    package struct WorkerSetup: Sendable {
        package let name: String
        package let directory: URL
        package let address: PublicKey
        package let environment: [String: String]

        package var stateDirectory: String { environment["STATE_DIR"] ?? "" }
    }

    /// A job created on the devnet.
    package struct CreatedJob: Sendable, Hashable {
        package let address: PublicKey
        package let title: String
        package let codeCID: String
    }

    package static let repositoryRoot = Devnet.repositoryRoot

    package let devnet: Devnet
    package let directory: URL

    private init(devnet: Devnet) throws {
        self.devnet = devnet
        directory = devnet.directory.appendingPathComponent("e2e")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts a fresh devnet with `slotMilliseconds` slots.
    package static func start(slotMilliseconds: Int = 100) async throws -> EndToEndStack {
        try EndToEndStack(devnet: try await Devnet.start(slotMilliseconds: slotMilliseconds))
    }

    /// Stops the devnet.
    package func stop() {
        devnet.stop()
    }

    // MARK: - Workers

    /// A worker with a funded keypair, its own state directory, and settings pointing at this devnet
    /// (`SANDBOX=bwrap`, `POLL_INTERVAL=1`); `extra` overrides any of them.
    package func workerSetup(_ name: String, extra: [String: String] = [:]) async throws -> WorkerSetup {
        let directory = self.directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let keypair = try await devnet.control("/keypairs", ["lamports": 10_000_000_000])
        guard let secret = keypair["secret_key"].bytes, secret.count == 64, let pubkey = keypair["pubkey"].string
        else { throw EndToEndFailure("the devnet made no keypair: \(keypair)") }
        let keypairPath = directory.appendingPathComponent("worker-keypair.json").path
        let text = "[" + secret.map(String.init).joined(separator: ",") + "]"
        guard
            FileManager.default.createFile(
                atPath: keypairPath, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw EndToEndFailure("cannot write \(keypairPath)") }
        let endpoints = devnet.endpoints
        var environment = [
            "SOLANA_RPC_URL": endpoints.rpcURL, "SOLANA_WS_URL": endpoints.wsURL,
            "PINATA_JWT": devnet.pinataJWT, "PINATA_API_URL": endpoints.pinataURL,
            "IPFS_GATEWAY_URL": endpoints.gatewayURL, "WORKER_KEYPAIR_PATH": keypairPath,
            "STATE_DIR": directory.appendingPathComponent("state").path, "SANDBOX": "bwrap", "POLL_INTERVAL": "1",
            "MAX_CONCURRENT_JOBS": "2", "EXECUTION_TIMEOUT": "20", "SHUTDOWN_GRACE": "20", "LOG_LEVEL": "debug",
        ]
        environment.merge(extra) { $1 }
        return WorkerSetup(
            name: name, directory: directory, address: try PublicKey(base58: pubkey), environment: environment)
    }

    /// Starts the worker binary for `setup`, through `commandPrefix` when one is given (see ``WorkerProcess``).
    package func start(
        _ setup: WorkerSetup, arguments: [String] = [], extra: [String: String] = [:], commandPrefix: [String] = []
    ) throws -> WorkerProcess {
        try WorkerProcess(
            name: setup.name, directory: setup.directory, environment: setup.environment.merging(extra) { $1 },
            arguments: arguments, commandPrefix: commandPrefix)
    }

    /// Runs `cloudmesh-worker --once` for `setup` and returns it once it exited 0.
    @discardableResult
    package func runOnce(_ setup: WorkerSetup, extra: [String: String] = [:]) async throws -> WorkerProcess {
        let worker = try start(setup, arguments: ["--once"], extra: extra)
        let exit = try await worker.waitForExit()
        guard exit == .init(signaled: false, status: 0) else {
            throw EndToEndFailure("\(setup.name) --once \(exit); log tail:\n\(worker.tail())")
        }
        return worker
    }

    /// Stops a continuously running worker with SIGTERM and checks that it exits 0.
    package func stopGracefully(_ worker: WorkerProcess) async throws {
        worker.send(SIGTERM)
        let exit = try await worker.waitForExit(timeout: .seconds(60))
        guard exit == .init(signaled: false, status: 0) else {
            throw EndToEndFailure("\(worker.name) \(exit) after SIGTERM; log tail:\n\(worker.tail())")
        }
    }

    /// The journal of `setup`'s worker.
    package func journal(_ setup: WorkerSetup) throws -> Journal {
        try Journal(directory: setup.stateDirectory)
    }

    // MARK: - Jobs

    /// Creates a job whose code is `code` (uploaded to the devnet's IPFS) or whose code CID is `codeCID`.
    package func createJob(code: String? = nil, codeCID: String? = nil, title: String? = nil) async throws -> CreatedJob
    {
        var body: [String: any Sendable] = ["title": title ?? "e2e-" + UUID().uuidString.prefix(12).lowercased()]
        if let code { body["code"] = code }
        if let codeCID { body["code_cid"] = codeCID }
        let made = try await devnet.control("/jobs", body)
        guard made["err"] == .null, let address = made["job"].string, let title = made["title"].string,
            let cid = made["code_cid"].string
        else { throw EndToEndFailure("initialize_job failed: \(made)") }
        return CreatedJob(address: try PublicKey(base58: address), title: title, codeCID: cid)
    }

    /// The job as the devnet decodes it at `confirmed`.
    package func job(_ address: PublicKey) async throws -> DevnetJSON {
        try await devnet.control("/jobs/\(address.base58)?commitment=confirmed")
    }

    /// Waits until every job in `addresses` reads `status` at `confirmed`; returns the jobs.
    @discardableResult
    package func waitForStatus(
        _ status: String, of addresses: [PublicKey], timeout: Duration = .seconds(120),
        worker: WorkerProcess? = nil
    ) async throws -> [PublicKey: DevnetJSON] {
        let deadline = ContinuousClock.now + timeout
        var jobs: [PublicKey: DevnetJSON] = [:]
        while true {
            for address in addresses where jobs[address] == nil {
                let job = try await job(address)
                if job["status"].string == status { jobs[address] = job }
            }
            if jobs.count == addresses.count { return jobs }
            guard ContinuousClock.now < deadline else {
                throw EndToEndFailure(
                    "\(addresses.count - jobs.count) of \(addresses.count) jobs are not \(status) after \(timeout)"
                        + (worker.map { "; worker log tail:\n\($0.tail())" } ?? ""))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Waits until `condition` holds for the journal of `setup`, read while `worker` runs (once it has opened
    /// its journal; a journal that cannot be read yet counts as not holding).
    package func waitForJournal(
        _ setup: WorkerSetup, timeout: Duration = .seconds(60), worker: WorkerProcess,
        _ condition: (Journal) async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        var lastError: (any Error)?
        while true {
            if worker.log.contains("worker starting") {
                do {
                    let journal = try journal(setup)
                    defer { try? journal.close() }
                    if try await condition(journal) { return }
                } catch {
                    lastError = error
                }
            }
            guard ContinuousClock.now < deadline else {
                throw EndToEndFailure(
                    "the journal condition did not hold within \(timeout)"
                        + (lastError.map { " (last error: \($0))" } ?? "") + "; worker log tail:\n\(worker.tail())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Waits until `condition` holds, polling.
    package func waitUntil(
        _ what: String, timeout: Duration = .seconds(60), worker: WorkerProcess? = nil,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                throw EndToEndFailure(
                    "\(what) did not happen within \(timeout)"
                        + (worker.map { "; worker log tail:\n\($0.tail())" } ?? ""))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    // MARK: - Reads

    /// The bytes the devnet gateway serves for `cid`.
    package func gatewayBytes(_ cid: String) async throws -> [UInt8] {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "\(devnet.endpoints.gatewayURL)/ipfs/\(cid)"), timeout: .seconds(30))
        guard response.status.code == 200 else {
            throw EndToEndFailure("gateway answered \(response.status) for \(cid)")
        }
        return Array(buffer: try await response.body.collect(upTo: 64 << 20))
    }

    /// The signatures of the transactions that touched `address` (initialize_job, complete_job, cancel_job…).
    package func signatures(of address: PublicKey) async throws -> [DevnetJSON] {
        let body: [String: any Sendable] = [
            "jsonrpc": "2.0", "id": 1, "method": "getSignaturesForAddress",
            "params": [address.base58, ["commitment": "confirmed"] as [String: any Sendable]] as [any Sendable],
        ]
        var request = HTTPClientRequest(url: devnet.endpoints.rpcURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let answer = try DevnetJSON(parsing: Data(buffer: try await response.body.collect(upTo: 16 << 20)))
        guard let signatures = answer["result"].array else {
            throw EndToEndFailure("getSignaturesForAddress: \(answer)")
        }
        return signatures
    }

    /// The successful complete_job transactions of `address` (its signatures minus initialize_job, the others
    /// failed or were owner actions; callers know which).
    package func landedTransactionCount(of address: PublicKey) async throws -> (succeeded: Int, failed: Int) {
        let signatures = try await signatures(of: address)
        let failed = signatures.filter { $0["err"] != .null }.count
        return (signatures.count - failed, failed)
    }
}
