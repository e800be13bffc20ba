import Dependencies
import Foundation
import Logging
import Redaction

/// Builds the preparer of jobs' PEP 723 dependencies from the configuration: uv (`UV_PATH`, else the one
/// set-up installed, else `PATH`), the sandbox's interpreter, and the environment cache under
/// `STATE_DIR/environments`. Without uv the worker still runs; a job declaring dependencies is then answered
/// with an error document that says why, and the start-up log says how to fix it.
enum DependencySetup {
    /// The environment cache's directory under a state directory: `STATE_DIR/environments`.
    static func environmentsDirectory(stateDirectory: String) -> URL {
        URL(fileURLWithPath: stateDirectory).appendingPathComponent("environments")
    }

    /// The preparer for `settings`; with `metrics`, the cache's hits, misses, builds and evictions are recorded
    /// there (``UVDependencyPreparer/recordCacheMetrics()``), starting with what opening the cache evicted.
    static func start(
        _ settings: DependencySettings, stateDirectory: String, pythonPath: String, logger: Logger,
        metrics: WorkerMetrics? = nil
    ) async throws(WorkerRuntimeError) -> any DependencyPreparer {
        let interpreter: PythonInterpreter
        do {
            interpreter = try await PythonInterpreter.probe(pythonPath)
        } catch {
            logger.warning(
                """
                dependencies: the sandbox's interpreter could not be probed; jobs declaring dependencies will be \
                answered with an error document
                """, metadata: ["python": "\(pythonPath)", "error": "\(error)"])
            return NoDependencyInstaller(reason: "the worker could not probe its Python interpreter")
        }
        let allowlist: PackageAllowlist?
        do {
            allowlist = try settings.allowlist.map { try PackageAllowlist(setting: $0) }
        } catch {
            throw WorkerRuntimeError(.configuration, ["PYTHON_PACKAGE_ALLOWLIST: \(error)"])
        }
        guard let uv = try locateUV(settings.uvPath) else {
            logger.warning(
                """
                dependencies: uv not found (looked for .venv/bin/uv beside the working directory and the worker, \
                then on PATH): jobs that declare PEP 723 dependencies will be answered with an error document; \
                run scripts/setup.sh or set UV_PATH
                """)
            return NoDependencyInstaller(
                reason: "uv is not installed on this worker", interpreter: interpreter.pep440Version)
        }
        let resolver = UVResolver(
            uvPath: uv, interpreter: interpreter, indexURL: settings.indexURL.absoluteString,
            httpTimeoutSeconds: max(5, min(30, settings.timeoutSeconds / 4)))
        let root = environmentsDirectory(stateDirectory: stateDirectory)
        if geteuid() == 0, let closed = privateAncestor(of: root.path) {
            // Run as root, every job has a user id of its own, which must reach the environment to bind it.
            logger.warning(
                """
                dependencies: jobs' own users cannot reach \(root.path) (\(closed) lets no other user through): \
                jobs that declare PEP 723 dependencies will be answered with an error document; put STATE_DIR \
                where other users may traverse (e.g. /var/lib/cloudmesh-worker), or chmod o+x \(closed)
                """)
            return NoDependencyInstaller(
                reason: "its environments directory is not reachable by jobs", interpreter: interpreter.pep440Version)
        }
        let cache: EnvironmentCache
        do {
            cache = try EnvironmentCache(
                configuration: .init(
                    root: root, maximumEnvironmentBytes: UInt64(settings.maxEnvironmentMB) << 20,
                    budgetBytes: UInt64(settings.cacheMB) << 20, timeout: .seconds(settings.timeoutSeconds),
                    allowlist: allowlist),
                resolver: resolver)
        } catch {
            throw WorkerRuntimeError(.configuration, ["the environment cache at \(root.path): \(error)"])
        }
        logger.info(
            "dependencies: PEP 723 dependencies are installed with uv (wheels only)",
            metadata: [
                "uv": "\(uv)", "index": "\(CredentialRedaction.redact(url: settings.indexURL.absoluteString))",
                "python": "\(interpreter.version)", "allowlist": "\(settings.allowlist ?? "any")",
                "environments": "\(root.path)",
            ])
        let preparer = UVDependencyPreparer(cache: cache, interpreter: interpreter, metrics: metrics)
        await preparer.recordCacheMetrics()
        return preparer
    }

    /// The first existing directory on the way to `path` (itself included) that other users may not traverse
    /// (no `o+x`), or nil when every one lets them through. Missing components are created later with 0755.
    static func privateAncestor(of path: String) -> String? {
        var current = URL(fileURLWithPath: path).standardizedFileURL
        var chain: [String] = []
        while true {
            chain.append(current.path)
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { break }
            current = parent
        }
        for directory in chain.reversed() {
            var info = stat()
            guard stat(directory, &info) == 0 else { return nil }
            if info.st_mode & S_IXOTH == 0 { return directory }
        }
        return nil
    }

    /// `UV_PATH` when set (it must be executable), else `.venv/bin/uv` beside the working directory or up to
    /// four directories above the worker's binary (a checkout's `.build/<triple>/<configuration>/`), else the
    /// first `uv` on `PATH`; nil when there is none.
    static func locateUV(_ configured: String?) throws(WorkerRuntimeError) -> String? {
        let files = FileManager.default
        if let configured {
            guard files.isExecutableFile(atPath: configured) else {
                throw WorkerRuntimeError(.configuration, ["UV_PATH=\(configured) is not an executable file"])
            }
            return configured
        }
        var candidates = [files.currentDirectoryPath + "/.venv/bin/uv"]
        // Not Bundle.main: Foundation traps when the executable's directory is not readable (a worker run as
        // another user than its checkout's owner).
        if let target = try? files.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var directory = URL(fileURLWithPath: target).deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(directory.appendingPathComponent(".venv/bin/uv").path)
                directory = directory.deletingLastPathComponent()
            }
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        candidates += path.split(separator: ":").map { "\($0)/uv" }
        return candidates.first { files.isExecutableFile(atPath: $0) }
    }
}

extension WorkerConfiguration {
    /// Where the worker keeps the environments of jobs' dependencies: `STATE_DIR/environments`.
    public var environmentsDirectory: URL {
        DependencySetup.environmentsDirectory(stateDirectory: stateDirectory)
    }
}
