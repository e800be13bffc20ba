import Foundation
import Logging
import Testing

@testable import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

/// Helpers shared by the sandbox tests.
enum TestSupport {
    /// A runner with short limits suited to tests.
    static func runner(
        _ mode: SandboxMode = .bubblewrap,
        timeout: Duration = .seconds(10),
        cgroups: SandboxConfiguration.CgroupPolicy = .automatic,
        adjust: (inout ResourceLimits) -> Void = { _ in }
    ) throws -> SandboxRunner {
        var limits = ResourceLimits(wallTime: timeout)
        adjust(&limits)
        return try SandboxRunner(
            configuration: SandboxConfiguration(mode: mode, limits: limits, cgroups: cgroups),
            logger: Logger(label: "sandbox-tests"))
    }

    /// Runs Python source with a fresh runner.
    static func run(
        _ source: String,
        _ mode: SandboxMode = .bubblewrap,
        timeout: Duration = .seconds(10),
        cgroups: SandboxConfiguration.CgroupPolicy = .automatic,
        adjust: (inout ResourceLimits) -> Void = { _ in }
    ) async throws -> ExecutionOutcome {
        try await runner(mode, timeout: timeout, cgroups: cgroups, adjust: adjust).run(code: Array(source.utf8))
    }

    /// A unique token, to recognise a test's processes and output.
    static func token() -> String {
        "cm\(UInt64.random(in: 1_000_000_000...9_999_999_999))"
    }

    /// Pids of host processes whose command line contains `marker`.
    static func processes(containing marker: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { return nil }
            let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return text.contains(marker) ? pid : nil
        }
    }

    /// Polls `condition` until it holds or `timeout` passes.
    static func eventually(within timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    /// A fresh host directory, removed by the caller.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "sandbox-test-" + token()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// A TCP listener on 127.0.0.1 in the test process, to prove jobs cannot reach host services.
final class HostListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        self.fd = fd
        self.port = UInt16(bigEndian: address.sin_port)
    }

    /// Whether anybody connected.
    var receivedConnection: Bool {
        let client = accept(fd, nil, nil)
        if client >= 0 { close(client) }
        return client >= 0
    }

    deinit { close(fd) }
}
