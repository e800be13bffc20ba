import Foundation
import Testing

@testable import Sandbox

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The launcher's contract, checked from inside the started program: descriptors, environment, session,
/// signals, limits, working directory; and each failing step named, with the child reaped.
@Suite struct ChildLauncherTests {
    /// Runs `script` under `/bin/sh` with `limits` and `directory`; returns its stdout and wait status.
    static func run(
        _ script: String, limits: [(resource: LinuxCalls.Resource, value: UInt64)] = [], directory: String? = nil,
        executable: String = "/bin/sh"
    ) throws(SandboxError) -> (output: String, status: Int32, pid: pid_t) {
        let output = try LinuxCalls.shared.makePipe()
        defer { close(output.read) }
        let plan = LaunchPlan(
            executable: executable, arguments: [executable, "-c", script], environment: ["ONLY=this"],
            workingDirectory: directory, descriptors: [(output.write, 1), (output.write, 2)], limits: limits,
            cgroupProcsFiles: [], credentials: nil)
        let pid: pid_t
        do {
            pid = try ChildLauncher.launch(plan)
        } catch {
            close(output.write)
            throw error
        }
        close(output.write)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(output.read, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return (String(decoding: bytes, as: UTF8.self), ChildLauncher.reap(pid).status, pid)
    }

    @Test func theProgramStartsInItsOwnSessionWithOnlyItsEnvironmentLimitsAndDirectory() throws {
        let script = """
            echo "env=$(env | grep -v '^PWD=' | grep -v '^SHLVL=' | grep -v '^_=' | tr '\\n' ' ')"
            echo "pwd=$(pwd)"
            echo "nofile=$(ulimit -n)"
            echo "session=$(cut -d' ' -f6 /proc/self/stat) self=$$"
            grep -E '^(SigBlk|SigIgn):' /proc/self/status | tr -s '\\t' ' '
            ls /proc/self/fd | tr '\\n' ' '
            """
        let result = try Self.run(script, limits: [(.openFiles, 64)], directory: "/tmp")
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("env=ONLY=this "), "\(lines)")
        #expect(lines.contains("pwd=/tmp"))
        #expect(lines.contains("nofile=64"))
        #expect(lines.contains("SigBlk: 0000000000000000"), "no signal blocked: \(lines)")
        #expect(lines.contains("SigIgn: 0000000000000000"), "no signal ignored (SIGPIPE at its default): \(lines)")
        let session = lines.first { $0.hasPrefix("session=") }?.split(separator: " ").map(String.init) ?? []
        #expect(session.count == 2 && session[0].dropFirst("session=".count) == session[1].dropFirst("self=".count))
        // 0, 1, 2 and the descriptor `ls` opened to list them: nothing of the worker's leaks in.
        let descriptors = lines.last?.split(separator: " ").compactMap { Int($0) } ?? []
        #expect(descriptors.count == 4 && Array(descriptors.prefix(3)) == [0, 1, 2], "\(descriptors)")
    }

    @Test func aMissingProgramIsNamedAsAFailedExecveAndLeavesNoChild() throws {
        #expect {
            _ = try Self.run("true", executable: "/nonexistent/program")
        } throws: { error in
            guard case .systemCallFailed(let operation, let code) = error as? SandboxError else { return false }
            return operation == "execve for /nonexistent/program" && code == ENOENT
        }
        #expect(Self.unexecutedZombies() == [], "the failed child was reaped")
    }

    /// Children of this process that are zombies and never ran another program (their name is still this
    /// process's): what a failed launch would leave if it did not reap. Other tests' children have exec'd.
    static func unexecutedZombies() -> [String] {
        func stat(_ pid: String) -> (name: String, state: String)? {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
            else { return nil }
            let state = text[text.index(after: close)...].split(separator: " ").first.map(String.init) ?? ""
            return (String(text[text.index(after: open)..<close]), state)
        }
        guard let me = stat("self"), let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        else { return ["/proc unreadable"] }
        let children = tasks.flatMap { task in
            ((try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").map(String.init)
        }
        return children.filter { stat($0).map { $0.state == "Z" && $0.name == me.name } ?? false }
    }

    @Test func aMissingWorkingDirectoryIsNamed() throws {
        #expect {
            _ = try Self.run("true", directory: "/nonexistent/directory")
        } throws: { error in
            guard case .systemCallFailed(let operation, let code) = error as? SandboxError else { return false }
            return operation == "chdir for /bin/sh" && code == ENOENT
        }
    }

    @Test func launchesFromManyThreadsAtOnceEachGetTheirOwnChild() async throws {
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<32 {
                group.addTask {
                    try await DedicatedThread.run { () -> Result<String, SandboxError> in
                        do throws(SandboxError) {
                            return .success(try Self.run("echo \(index)").output)
                        } catch {
                            return .failure(error)
                        }
                    }.get()
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(outputs) == Set((0..<32).map { "\($0)\n" }))
    }
}
