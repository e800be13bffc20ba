import Foundation

/// The real `cloudmesh-worker` binary running as a subprocess, its output in files.
package final class WorkerProcess: @unchecked Sendable {
    /// How the process ended.
    package struct Exit: Equatable, CustomStringConvertible {
        /// Whether a signal ended it.
        package var signaled: Bool
        /// The exit status, or the signal number.
        package var status: Int32

        /// An exit with `status`, or by the signal `status` when `signaled`.
        package init(signaled: Bool, status: Int32) {
            self.signaled = signaled
            self.status = status
        }

        package var description: String { signaled ? "killed by signal \(status)" : "exited with status \(status)" }
    }

    /// The binary: `$CLOUDMESH_WORKER_BINARY`, else `<repository>/.build/debug/cloudmesh-worker`.
    package static var binary: String {
        ProcessInfo.processInfo.environment["CLOUDMESH_WORKER_BINARY"]
            ?? EndToEndStack.repositoryRoot.appendingPathComponent(".build/debug/cloudmesh-worker").path
    }

    package let name: String
    package let stdoutURL: URL
    package let stderrURL: URL
    private let process = Process()
    private let lock = NSLock()

    /// Starts the binary with exactly `environment` (plus PATH and HOME) in `directory`. A non-empty
    /// `commandPrefix` is run instead, with the binary and `arguments` after it (a wrapper such as `setpriv …
    /// --` that ends by executing them in its own process, so ``processIdentifier`` stays the worker's).
    package init(
        name: String, directory: URL, environment: [String: String], arguments: [String],
        commandPrefix: [String] = []
    ) throws {
        self.name = name
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw EndToEndFailure("no worker binary at \(Self.binary): run `swift build --product cloudmesh-worker`")
        }
        let run = UUID().uuidString.prefix(8)
        stdoutURL = directory.appendingPathComponent("\(name)-\(run).out")
        stderrURL = directory.appendingPathComponent("\(name)-\(run).err")
        for url in [stdoutURL, stderrURL] {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw EndToEndFailure("cannot create \(url.path)")
            }
        }
        if let wrapper = commandPrefix.first {
            process.executableURL = URL(fileURLWithPath: wrapper)
            process.arguments = commandPrefix.dropFirst() + [Self.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        var childEnvironment = environment
        let parent = ProcessInfo.processInfo.environment
        childEnvironment["PATH"] = parent["PATH"] ?? "/usr/bin:/bin"
        childEnvironment["HOME"] = parent["HOME"] ?? directory.path
        process.environment = childEnvironment
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// What the worker wrote to standard output.
    package var output: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    /// What the worker logged (standard error).
    package var log: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Whether the worker is still running.
    package var isRunning: Bool { process.isRunning }

    /// The process id of the worker (of its command prefix, which executes the worker in place).
    package var processIdentifier: Int32 { process.processIdentifier }

    /// Sends `signal` to the worker.
    package func send(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the worker to end, polling; throws with the log's tail when it has not within `timeout`.
    package func waitForExit(timeout: Duration = .seconds(120)) async throws -> Exit {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                send(SIGKILL)
                throw EndToEndFailure("\(name) did not stop within \(timeout); log tail:\n\(tail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.waitUntilExit()
        return Exit(signaled: process.terminationReason == .uncaughtSignal, status: process.terminationStatus)
    }

    /// The last lines of the log, for failure messages.
    package func tail(_ lines: Int = 40) -> String {
        log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// An end-to-end test could not go on.
package struct EndToEndFailure: Error, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}
