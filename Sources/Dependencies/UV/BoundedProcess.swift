import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs a helper program (uv, the interpreter probe) outside the sandbox with bounds: a complete environment
/// given by the caller (nothing of the worker's is inherited), stdin on `/dev/null`, stdout and stderr written
/// to files in a private directory and read back up to a cap, and a deadline and an optional limit check
/// after either of which the program's whole process group is killed.
///
/// Foundation's `Process` starts the program in a process group of its own (its pid is the group id), so
/// `kill(-pid, SIGKILL)` reaches every process it started (uv starts the interpreter to query it and to
/// compile bytecode).
enum BoundedProcess {
    /// How a run ended.
    enum End: Equatable {
        /// The program exited with this status.
        case exited(Int32)
        /// The program was killed by this signal (not by us).
        case signaled(Int32)
        /// The deadline passed; the process group was killed.
        case deadlineExceeded
        /// The limit check reported this; the process group was killed.
        case limitExceeded(String)
    }

    /// A finished run: how it ended and the start of its output.
    struct Outcome {
        var end: End
        var stdout: String
        var stderr: String
    }

    /// How often the deadline and the limit check are looked at.
    static let checkInterval: Duration = .milliseconds(200)

    /// Runs `executable` with `arguments` (after `argv[0]`, which is `executable`) and exactly `environment`, in `directory` (which also receives
    /// `<label>.stdout` and `<label>.stderr`). Throws only when the program cannot be started.
    static func run(
        executable: String, arguments: [String], environment: [String: String], directory: URL, label: String,
        deadline: ContinuousClock.Instant, outputCap: Int, limitCheck: (@Sendable () -> String?)? = nil
    ) async throws(LaunchFailure) -> Outcome {
        let stdoutURL = directory.appendingPathComponent("\(label).stdout")
        let stderrURL = directory.appendingPathComponent("\(label).stderr")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        let stdoutHandle: FileHandle
        let stderrHandle: FileHandle
        do {
            guard FileManager.default.createFile(atPath: stdoutURL.path, contents: nil),
                FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
            else { throw LaunchFailure(reason: "cannot create output files in \(directory.path)") }
            stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
            stderrHandle = try FileHandle(forWritingTo: stderrURL)
        } catch let failure as LaunchFailure {
            throw failure
        } catch {
            throw LaunchFailure(reason: "cannot open output files in \(directory.path): \(error.localizedDescription)")
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle

        let exited = ExitSignal()
        process.terminationHandler = { finished in
            exited.finish(reason: finished.terminationReason, status: finished.terminationStatus)
        }
        do {
            try process.run()
        } catch {
            try? stdoutHandle.close()
            try? stderrHandle.close()
            throw LaunchFailure(reason: "cannot start \(executable): \(error.localizedDescription)")
        }
        try? stdoutHandle.close()
        try? stderrHandle.close()
        let group = process.processIdentifier

        let watchdog = Task { () -> End? in
            while !exited.hasFinished {
                if ContinuousClock.now >= deadline {
                    exited.killGroupIfRunning(group)
                    return .deadlineExceeded
                }
                if let reason = limitCheck?() {
                    exited.killGroupIfRunning(group)
                    return .limitExceeded(reason)
                }
                let pause = min(checkInterval, deadline - ContinuousClock.now)
                do {
                    try await Task.sleep(for: max(pause, .milliseconds(1)))
                } catch {
                    return nil
                }
            }
            return nil
        }
        let (reason, status) = await exited.wait()
        watchdog.cancel()
        let end: End
        if let stopped = await watchdog.value {
            end = stopped
        } else if reason == .uncaughtSignal {
            end = .signaled(status)
        } else {
            end = .exited(status)
        }
        return Outcome(
            end: end, stdout: readPrefix(of: stdoutURL, cap: outputCap),
            stderr: readPrefix(of: stderrURL, cap: outputCap))
    }

    /// The first `cap` bytes of a file, as UTF-8 (invalid sequences replaced).
    private static func readPrefix(of url: URL, cap: Int) -> String {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: cap)) ?? nil
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    /// Why a program could not be started.
    struct LaunchFailure: Error {
        var reason: String
    }

    /// The program's end, reported by Foundation's termination handler and awaited by the runner; the
    /// watchdog kills the group only while it has not ended (so never a reused process group id).
    private final class ExitSignal: @unchecked Sendable {
        private let lock = NSLock()
        private var result: (Process.TerminationReason, Int32)?
        private var waiter: CheckedContinuation<(Process.TerminationReason, Int32), Never>?

        var hasFinished: Bool { lock.withLock { result != nil } }

        func finish(reason: Process.TerminationReason, status: Int32) {
            let continuation: CheckedContinuation<(Process.TerminationReason, Int32), Never>? = lock.withLock {
                result = (reason, status)
                defer { waiter = nil }
                return waiter
            }
            continuation?.resume(returning: (reason, status))
        }

        func wait() async -> (Process.TerminationReason, Int32) {
            await withCheckedContinuation { continuation in
                let ready: (Process.TerminationReason, Int32)? = lock.withLock {
                    if let result { return result }
                    waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }

        func killGroupIfRunning(_ group: pid_t) {
            lock.withLock {
                if result == nil { _ = kill(-group, SIGKILL) }
            }
        }
    }
}
