import Foundation

/// The interpreter jobs run with, as far as it decides which wheels fit: environments are built for it and
/// keyed by it.
public struct PythonInterpreter: Sendable, Hashable, Codable {
    /// Its absolute path (the sandbox's `/usr/bin/python3`), given to uv as `--python`.
    public var path: String
    /// `major.minor.micro` (`3.11.2`).
    public var version: String
    /// `sysconfig.get_platform()` (`linux-x86_64`).
    public var platform: String
    /// `sys.implementation.cache_tag` (`cpython-311`).
    public var implementation: String
    /// `platform.libc_ver()` (`glibc 2.36`), which decides the manylinux wheels that fit.
    public var libc: String

    /// Creates an interpreter description from its parts.
    public init(path: String, version: String, platform: String, implementation: String, libc: String) {
        self.path = path
        self.version = version
        self.platform = platform
        self.implementation = implementation
        self.libc = libc
    }

    /// ``version`` as a PEP 440 version, to check `requires-python` against.
    public var pep440Version: PEP440Version? { PEP440Version(version) }

    /// What environment keys hold of the interpreter: everything but the path.
    var identity: String { "\(implementation) \(version) \(platform) \(libc)" }

    /// Asks the interpreter at `path` (isolated mode, no `site`, an empty environment) for its version,
    /// platform, implementation and libc.
    public static func probe(_ path: String, timeout: Duration = .seconds(10)) async throws(DependencyError)
        -> PythonInterpreter
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cloudmesh-python-probe-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .uvUnavailable("cannot create a directory to probe \(path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let script =
            "import platform, sys, sysconfig; print('%d.%d.%d' % sys.version_info[:3]); "
            + "print(sysconfig.get_platform()); print(sys.implementation.cache_tag); print(' '.join(platform.libc_ver()))"
        let outcome: BoundedProcess.Outcome
        do {
            outcome = try await BoundedProcess.run(
                executable: path, arguments: ["-I", "-S", "-c", script], environment: ["PATH": "/usr/bin:/bin"],
                directory: directory, label: "probe", deadline: .now + timeout, outputCap: 4096)
        } catch {
            throw .uvUnavailable("cannot run the interpreter \(path): \(error.reason)")
        }
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        guard outcome.end == .exited(0), lines.count == 4, PEP440Version(lines[0]) != nil else {
            throw .uvUnavailable("the interpreter \(path) did not describe itself (\(outcome.end))")
        }
        return PythonInterpreter(
            path: path, version: lines[0], platform: lines[1], implementation: lines[2], libc: lines[3])
    }
}
