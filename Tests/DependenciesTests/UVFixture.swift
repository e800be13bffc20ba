import Foundation
import Testing

@testable import Dependencies

#if canImport(Glibc)
    import Glibc
#endif

/// What the uv tests share: uv itself (`CLOUDMESH_UV_PATH`, else this checkout's `.venv/bin/uv`, which
/// scripts/setup.sh installs), the system interpreter, and a local PEP 503 index of tiny packages written by
/// Fixtures/make_index.py and served as `file://`. Nothing here touches the network.
enum UVFixture {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// uv's path, or nil when it is not installed (the uv tests are then skipped).
    static let uvPath: String? = {
        let given = ProcessInfo.processInfo.environment["CLOUDMESH_UV_PATH"].flatMap { $0.isEmpty ? nil : $0 }
        let path = given ?? packageRoot.appendingPathComponent(".venv/bin/uv").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    static let python = "/usr/bin/python3"

    /// Whether the uv tests can run; the reason shown when they are skipped.
    static let available = uvPath != nil && FileManager.default.isExecutableFile(atPath: python)
    static let skipReason: Comment =
        "uv not found: set CLOUDMESH_UV_PATH or run scripts/setup.sh (installs .venv/bin/uv); needs /usr/bin/python3"

    /// The index directory, written once per test process.
    static let index: URL = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cloudmesh-deps-index-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        let script = Bundle.module.url(forResource: "Fixtures/make_index", withExtension: "py")!
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, directory.path]
        try! process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "make_index.py failed")
        return directory
    }()

    static var indexURL: String { "file://" + index.appendingPathComponent("simple").path }

    /// A fresh empty directory for one test.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cloudmesh-deps-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A wrapper around uv that appends its subcommand (`compile` or `install`) to a log before running uv,
    /// so a test counts uv runs; `installDelay` makes `pip install` wait that many seconds after installing,
    /// in a background `sleep` whose pid it writes to ``sleeperPID``.
    struct CountingUV {
        var path: String
        var log: URL
        var sleeperPID: URL

        init(in directory: URL, installDelay: Int = 0) throws {
            log = directory.appendingPathComponent("uv-runs.log")
            sleeperPID = directory.appendingPathComponent("sleeper.pid")
            let wrapper = directory.appendingPathComponent("uv-wrapper.sh")
            let script = """
                #!/bin/sh
                echo "$2" >> '\(log.path)'
                if [ "$2" = install ] && [ \(installDelay) -gt 0 ]; then
                    '\(UVFixture.uvPath ?? "uv")' "$@" || exit $?
                    sleep \(installDelay) &
                    echo $! > '\(sleeperPID.path)'
                    wait
                fi
                exec '\(UVFixture.uvPath ?? "uv")' "$@"
                """
            try Data(script.utf8).write(to: wrapper)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
            path = wrapper.path
        }

        /// The subcommands run so far, in order.
        var runs: [String] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    static func interpreter() async throws -> PythonInterpreter {
        try await PythonInterpreter.probe(python)
    }

    static func resolver(
        uv: String, indexURL: String = UVFixture.indexURL, httpTimeoutSeconds: Int = 30, httpRetries: Int = 0
    ) async throws -> UVResolver {
        UVResolver(
            uvPath: uv, interpreter: try await interpreter(), indexURL: indexURL,
            httpTimeoutSeconds: httpTimeoutSeconds, httpRetries: httpRetries)
    }

    static func configuration(
        root: URL, maximumEnvironmentBytes: UInt64 = 64 << 20, budgetBytes: UInt64 = 1 << 30,
        timeout: Duration = .seconds(60), allowlist: PackageAllowlist? = nil
    ) -> EnvironmentCache.Configuration {
        EnvironmentCache.Configuration(
            root: root, maximumEnvironmentBytes: maximumEnvironmentBytes, budgetBytes: budgetBytes, timeout: timeout,
            allowlist: allowlist)
    }

    static func requirements(_ texts: String...) throws -> [Requirement] {
        try texts.map { try Requirement(parsing: $0) }
    }

    /// Runs the system interpreter with `PYTHONPATH=sitePackages` (and nothing else) and returns its stdout.
    static func runPython(_ code: String, sitePackages: URL) throws -> String {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-s", "-c", code]
        process.environment = ["PYTHONPATH": sitePackages.path, "PATH": "/usr/bin:/bin"]
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether process `pid` exists and is not a zombie (an orphan killed but not yet reaped by init).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// The names in `directory`.
    static func entries(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections into its backlog and never answers: an index that
/// hangs.
final class SilentServer {
    let port: UInt16
    private let socketDescriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        socketDescriptor = descriptor
    }

    deinit { close(socketDescriptor) }
}
