import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// A local CloudMesh devnet (`python -m devnet`) on free ports, started for a test and stopped after it.
///
/// The Python interpreter is `$CLOUDMESH_DEVNET_PYTHON`, else the repository's `.venv/bin/python`
/// (created by `scripts/setup.sh`). The devnet's output goes to a log file whose tail is quoted when
/// it fails to start.
public final class Devnet: Sendable {
    /// What the devnet's ready line reports.
    public struct Endpoints: Decodable, Sendable {
        public let rpcURL: String
        public let wsURL: String
        public let ipfsAPIURL: String
        public let gatewayURL: String
        public let pinataURL: String
        public let controlURL: String
        /// The package index stand-in's simple index (`PYTHON_INDEX_URL`), `http://127.0.0.1:<port>/simple`.
        public let indexURL: String
        public let faucetKeypair: String
        public let faucetPubkey: String
        public let programIds: [String]

        enum CodingKeys: String, CodingKey {
            case rpcURL = "rpc_url"
            case wsURL = "ws_url"
            case ipfsAPIURL = "ipfs_api_url"
            case gatewayURL = "gateway_url"
            case pinataURL = "pinata_url"
            case controlURL = "control_url"
            case indexURL = "index_url"
            case faucetKeypair = "faucet_keypair"
            case faucetPubkey = "faucet_pubkey"
            case programIds = "program_ids"
        }
    }

    /// A devnet that did not start or a control call that failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The URLs and faucet of this devnet.
    public let endpoints: Endpoints
    /// The Bearer token its Pinata stand-in accepts.
    public let pinataJWT: String
    /// A scratch directory for this devnet and its test (removed on stop).
    public let directory: URL
    private let process: ProcessBox

    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Starts a devnet on free ports and waits (up to 60 s) for its ready line.
    /// - Parameter slotMilliseconds: the slot duration (400 like mainnet; smaller makes tests faster).
    public static func start(slotMilliseconds: Int = 100, extraArguments: [String] = []) async throws -> Devnet {
        let environment = ProcessInfo.processInfo.environment
        let python =
            environment["CLOUDMESH_DEVNET_PYTHON"]
            ?? repositoryRoot.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw Failure(description: "no Python for the devnet at \(python): run scripts/setup.sh first")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cloudmesh-devnet-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let logURL = directory.appendingPathComponent("devnet.log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw Failure(description: "cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        let jwt = "test-jwt-\(UUID().uuidString)"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.currentDirectoryURL = repositoryRoot
        process.arguments =
            [
                "-m", "devnet", "--rpc-port", "0", "--ws-port", "0", "--ipfs-api-port", "0", "--gateway-port", "0",
                "--pinata-port", "0", "--control-port", "0", "--index-port", "0", "--slot-ms", String(slotMilliseconds),
                "--pinata-jwt", jwt, "--state-dir", directory.appendingPathComponent("state").path,
            ] + extraArguments
        var childEnvironment = environment
        childEnvironment["PYTHONUNBUFFERED"] = "1"
        childEnvironment["DEVNET_PARENT_PID"] = String(getpid())
        process.environment = childEnvironment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let box = ProcessBox(process)

        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("devnet ready ") }) {
                let json = Data(line.dropFirst("devnet ready ".count).utf8)
                let endpoints = try JSONDecoder().decode(Endpoints.self, from: json)
                return Devnet(endpoints: endpoints, pinataJWT: jwt, directory: directory, process: box)
            }
            if !process.isRunning || ContinuousClock.now > deadline {
                box.stop()
                throw Failure(
                    description: "the devnet did not start (\(python) -m devnet); its output:\n"
                        + text.split(separator: "\n").suffix(30).joined(separator: "\n"))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private init(endpoints: Endpoints, pinataJWT: String, directory: URL, process: ProcessBox) {
        self.endpoints = endpoints
        self.pinataJWT = pinataJWT
        self.directory = directory
        self.process = process
    }

    /// Stops the devnet (SIGTERM, then SIGKILL) and removes its directory.
    public func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    /// Calls the devnet's control API and returns its JSON answer; a non-2xx answer throws.
    @discardableResult
    public func control(_ path: String, _ body: [String: any Sendable]? = nil) async throws -> DevnetJSON {
        var request = HTTPClientRequest(url: endpoints.controlURL + path)
        if let body {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
        } else if path.hasPrefix("/reset") || path.hasPrefix("/faults") {
            request.method = .POST
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        guard (200..<300).contains(response.status.code) else {
            throw Failure(
                description: "devnet control \(path) answered \(response.status.code): "
                    + String(decoding: data, as: UTF8.self))
        }
        return try DevnetJSON(parsing: data)
    }

    /// Runs `body` with a fresh devnet and stops it afterwards, whatever happens.
    public static func with<T>(
        slotMilliseconds: Int = 100, _ body: (Devnet) async throws -> T
    ) async throws -> T {
        let devnet = try await start(slotMilliseconds: slotMilliseconds)
        defer { devnet.stop() }
        return try await body(devnet)
    }
}

/// Owns the devnet process; `Process` itself is not `Sendable`.
final class ProcessBox: @unchecked Sendable {
    private let lock = NSLock()
    private let process: Process

    init(_ process: Process) { self.process = process }

    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

extension Devnet {
    private static let sharedDevnet = Task { try await Devnet.start() }

    /// One devnet for the whole test process, started on first use, for tests that inject no faults.
    /// It exits with the test process.
    public static func shared() async throws -> Devnet { try await sharedDevnet.value }
}
