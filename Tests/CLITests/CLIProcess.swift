import DevnetSupport
import Foundation
import Testing

/// What one run of `cloudmesh-worker` printed and how it exited.
struct CLIOutput: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    /// The first line of standard output, trimmed.
    var firstLine: String { stdout.split(separator: "\n").first.map(String.init) ?? "" }

    var description: String { "exit \(status)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)" }
}

/// Runs the `cloudmesh-worker` binary as a subprocess, in a scratch directory, with a clean environment.
struct CLI {
    /// `$CLOUDMESH_WORKER_BINARY`, else `<repo>/.build/debug/cloudmesh-worker`.
    static let binary: String =
        ProcessInfo.processInfo.environment["CLOUDMESH_WORKER_BINARY"]
        ?? Devnet.repositoryRoot.appendingPathComponent(".build/debug/cloudmesh-worker").path

    /// The working directory (holds the keypair, the state directory and files to submit).
    let directory: URL
    /// The configuration variables passed.
    var environment: [String: String]

    /// A scratch directory with `WORKER_KEYPAIR_PATH` and `STATE_DIR` inside it; the devnet's URLs when given.
    init(devnet: Devnet? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cli-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory.path,
            "WORKER_KEYPAIR_PATH": directory.appendingPathComponent("worker-keypair.json").path,
            "STATE_DIR": directory.appendingPathComponent("state").path,
        ]
        if let devnet {
            environment["SOLANA_RPC_URL"] = devnet.endpoints.rpcURL
            environment["PINATA_JWT"] = devnet.pinataJWT
            environment["PINATA_API_URL"] = devnet.endpoints.pinataURL
            environment["IPFS_GATEWAY_URL"] = devnet.endpoints.gatewayURL
        }
    }

    /// The keypair file's path.
    var keypairPath: String { environment["WORKER_KEYPAIR_PATH"] ?? "" }

    /// Writes `text` to a file in the scratch directory and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Writes a keypair file of `secretKey` (64 numbers) at the configured path.
    func writeKeypair(_ secretKey: [UInt8]) throws {
        let text = "[" + secretKey.map(String.init).joined(separator: ",") + "]"
        try Data(text.utf8).write(to: URL(fileURLWithPath: keypairPath))
    }

    /// A funded keypair from the devnet's faucet, written as this CLI's keypair; returns its address.
    @discardableResult
    func useFundedKeypair(_ devnet: Devnet, lamports: Int = 5_000_000_000) async throws -> String {
        let answer = try await devnet.control("/keypairs", ["lamports": lamports])
        try writeKeypair(try #require(answer["secret_key"].bytes))
        return try #require(answer["pubkey"].string)
    }

    /// Runs the binary with `arguments` and waits (at most `timeout`) for it to exit.
    func run(
        _ arguments: [String], extraEnvironment: [String: String] = [:],
        timeout: Duration = .seconds(60)
    )
        async throws -> CLIOutput
    {
        let running = try start(arguments, extraEnvironment: extraEnvironment)
        return try await running.wait(timeout: timeout)
    }

    /// Starts the binary and returns at once.
    func start(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> RunningCLI {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw CLITestFailure(
                "no cloudmesh-worker binary at \(Self.binary): build it with "
                    + "`swift build --product cloudmesh-worker` or set CLOUDMESH_WORKER_BINARY")
        }
        let id = UUID().uuidString
        let stdoutURL = directory.appendingPathComponent("stdout-\(id)")
        let stderrURL = directory.appendingPathComponent("stderr-\(id)")
        guard FileManager.default.createFile(atPath: stdoutURL.path, contents: nil),
            FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        else { throw CLITestFailure("cannot create output files in \(directory.path)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment.merging(extraEnvironment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningCLI(process: process, stdoutURL: stdoutURL, stderrURL: stderrURL)
    }

    /// Removes the scratch directory.
    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A `cloudmesh-worker` process that is running.
final class RunningCLI: @unchecked Sendable {
    private let process: Process
    private let stdoutURL: URL
    private let stderrURL: URL

    init(process: Process, stdoutURL: URL, stderrURL: URL) {
        self.process = process
        self.stdoutURL = stdoutURL
        self.stderrURL = stderrURL
    }

    /// What it has written to standard output so far.
    var stdoutSoFar: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    /// Polls until the first line of standard output is complete (or the process exits); returns it.
    func firstLine(timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = stdoutSoFar
            if let newline = text.firstIndex(of: "\n") { return String(text[..<newline]) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CLITestFailure("no line on standard output; output so far: \(stdoutSoFar)")
    }

    /// Waits for the exit (killing the process after `timeout`) and returns its output.
    func wait(timeout: Duration = .seconds(60)) async throws -> CLIOutput {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw CLITestFailure("cloudmesh-worker did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        return CLIOutput(
            status: process.terminationStatus, stdout: stdoutSoFar,
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
    }
}

/// A test precondition that failed (no binary, a process that did not exit).
struct CLITestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
