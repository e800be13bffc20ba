#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs a program directly, with the same launcher, thread and pipe handling as jobs but without
/// bubblewrap, limits, cgroups or a working directory: the baseline the benchmark compares jobs against.
@_spi(Benchmarking)
public enum BareProcess {
    /// Runs `arguments` (an absolute program path first) with the job environment, stdin on /dev/null and
    /// stdout and stderr read to their end; returns the raw wait status.
    public static func run(_ arguments: [String]) async throws -> Int32 {
        try await DedicatedThread.run { () -> Result<Int32, SandboxError> in
            do throws(SandboxError) {
                return .success(try runBlocking(arguments))
            } catch {
                return .failure(error)
            }
        }.get()
    }

    private static func runBlocking(_ arguments: [String]) throws(SandboxError) -> Int32 {
        guard let executable = arguments.first else { throw .invalidConfiguration("no program to run") }
        let devNull = open("/dev/null", O_RDONLY | LinuxCalls.oCloexec)
        guard devNull >= 0 else { throw .systemCallFailed(operation: "opening /dev/null", errno: errno) }
        defer { close(devNull) }
        let stdoutPipe = try LinuxCalls.shared.makePipe()
        let stderrPipe = try LinuxCalls.shared.makePipe()
        defer {
            close(stdoutPipe.read)
            close(stderrPipe.read)
        }
        let plan = LaunchPlan(
            executable: executable, arguments: arguments, environment: BubblewrapCommand.jobEnvironment(home: "/tmp"),
            workingDirectory: nil, descriptors: [(devNull, 0), (stdoutPipe.write, 1), (stderrPipe.write, 2)],
            limits: [], cgroupProcsFiles: [], credentials: nil)
        let launched: pid_t
        do {
            launched = try ChildLauncher.launch(plan)
        } catch {
            close(stdoutPipe.write)
            close(stderrPipe.write)
            throw error
        }
        close(stdoutPipe.write)
        close(stderrPipe.write)
        var buffer = [UInt8](repeating: 0, count: 65536)
        for fd in [stdoutPipe.read, stderrPipe.read] {
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
            }
        }
        return ChildLauncher.reap(launched).status
    }
}
