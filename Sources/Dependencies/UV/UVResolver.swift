import Foundation

/// Resolves a job's requirements to an exact lock and installs a lock into a directory, with uv, wheels only.
///
/// The job's code never reaches uv: only the requirement strings, rebuilt from their parsed form (see
/// ``Requirement``). uv runs with a clean environment (`PATH`, a private `HOME` and `TMPDIR`, its cache in the
/// work directory, `UV_NO_CONFIG`, no Python downloads; nothing of the worker's environment), in its own
/// process group, killed at the deadline.
///
/// Resolving (``resolve(_:workDirectory:deadline:)``):
///
///     uv pip compile WORK/requirements.in --generate-hashes --no-build --no-header --no-annotate
///        --default-index INDEX --python PYTHON --no-config --no-python-downloads --no-progress --color never
///        --cache-dir WORK/uv-cache
///
/// Installing (``install(_:into:workDirectory:deadline:maximumBytes:)``):
///
///     uv pip install --target SITE --no-deps --require-hashes --no-build -r WORK/lock.txt
///        --default-index INDEX --python PYTHON --link-mode copy --compile-bytecode --no-config
///        --no-python-downloads --no-progress --color never --cache-dir WORK/uv-cache
///
/// `--no-build` makes uv refuse every sdist (it is uv's `--only-binary :all:`, and the two flags cannot be
/// combined): no build backend and no `setup.py` ever runs. `--link-mode copy` keeps the environment
/// independent of uv's cache, which lives and dies with the work directory.
public struct UVResolver: Sendable {
    /// The `uv` executable (`UV_PATH`).
    public var uvPath: String
    /// The interpreter environments are built for (the sandbox's).
    public var interpreter: PythonInterpreter
    /// The PEP 503/691 simple index (`PYTHON_INDEX_URL`); may hold credentials, which no message shows.
    public var indexURL: String
    /// uv's own timeout for one HTTP request (`UV_HTTP_TIMEOUT`), so that an index that does not answer fails
    /// as unavailable (transient) well before the dependency timeout does.
    public var httpTimeoutSeconds: Int
    /// uv's retries of a failed request (`UV_HTTP_RETRIES`).
    public var httpRetries: Int
    /// The most bytes of uv's stdout (the lock) and stderr kept.
    public var outputCapBytes: Int

    /// Creates a resolver; `httpTimeoutSeconds` and `httpRetries` default to uv's own defaults.
    public init(
        uvPath: String, interpreter: PythonInterpreter, indexURL: String, httpTimeoutSeconds: Int = 30,
        httpRetries: Int = 3, outputCapBytes: Int = 8 * 1024 * 1024
    ) {
        self.uvPath = uvPath
        self.interpreter = interpreter
        self.indexURL = indexURL
        self.httpTimeoutSeconds = httpTimeoutSeconds
        self.httpRetries = httpRetries
        self.outputCapBytes = outputCapBytes
    }

    /// Resolves `requirements` against the index for the interpreter; `workDirectory` (empty, private) holds
    /// uv's home, temporary files, cache and output.
    public func resolve(
        _ requirements: [Requirement], workDirectory: URL, deadline: DependencyDeadline
    ) async throws(DependencyError) -> DependencyLock {
        guard !requirements.isEmpty else { throw .invalidRequirement("no dependencies to resolve") }
        let input = workDirectory.appendingPathComponent("requirements.in")
        try write(requirements.map { "\($0.description)\n" }.joined(), to: input)
        let arguments =
            ["pip", "compile", input.path, "--generate-hashes", "--no-build", "--no-header", "--no-annotate"]
            + commonArguments(workDirectory: workDirectory)
        let outcome = try await run(arguments, workDirectory: workDirectory, label: "compile", deadline: deadline)
        guard outcome.end == .exited(0) else {
            throw failure(outcome, requirements: requirements, deadline: deadline)
        }
        return try DependencyLock(uvOutput: outcome.stdout)
    }

    /// Installs exactly `lock` (no other package, every file checked against its hash) into `site`, killing uv
    /// when `workDirectory` and `site` together grow past twice `maximumBytes` (downloads plus installed files),
    /// then checking `site` against `maximumBytes`.
    public func install(
        _ lock: DependencyLock, into site: URL, workDirectory: URL, deadline: DependencyDeadline,
        maximumBytes: UInt64
    ) async throws(DependencyError) {
        let lockFile = workDirectory.appendingPathComponent("lock.txt")
        try write(lock.requirementsText, to: lockFile)
        let arguments =
            [
                "pip", "install", "--target", site.path, "--no-deps", "--require-hashes", "--no-build", "-r",
                lockFile.path, "--link-mode", "copy", "--compile-bytecode",
            ] + commonArguments(workDirectory: workDirectory)
        let watched = [workDirectory.path, site.path]
        let budget = maximumBytes.multipliedReportingOverflow(by: 2)
        let limit = budget.overflow ? UInt64.max : budget.partialValue
        let outcome = try await run(
            arguments, workDirectory: workDirectory, label: "install", deadline: deadline,
            limitCheck: {
                watched.reduce(0) { $0 + DirectorySize.allocatedBytes(at: $1) } > limit ? "too large" : nil
            })
        guard outcome.end == .exited(0) else {
            throw failure(outcome, requirements: [], deadline: deadline, limit: maximumBytes)
        }
        guard DirectorySize.allocatedBytes(at: site.path) <= maximumBytes else {
            throw .tooLarge(limitBytes: maximumBytes)
        }
    }

    /// The options both commands share: the index alone, the interpreter, no configuration, the work
    /// directory's cache.
    func commonArguments(workDirectory: URL) -> [String] {
        [
            "--default-index", indexURL, "--python", interpreter.path, "--no-config", "--no-python-downloads",
            "--no-progress", "--color", "never", "--cache-dir", workDirectory.appendingPathComponent("uv-cache").path,
        ]
    }

    /// The complete environment uv runs with.
    func environment(workDirectory: URL) -> [String: String] {
        [
            "PATH": "/usr/bin:/bin",
            "HOME": workDirectory.appendingPathComponent("home").path,
            "TMPDIR": workDirectory.appendingPathComponent("tmp").path,
            "UV_CACHE_DIR": workDirectory.appendingPathComponent("uv-cache").path,
            "UV_NO_CONFIG": "1",
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_NO_PROGRESS": "1",
            "UV_HTTP_TIMEOUT": String(httpTimeoutSeconds),
            "UV_HTTP_RETRIES": String(httpRetries),
            "NO_COLOR": "1",
            "LANG": "C.UTF-8",
        ]
    }

    private func run(
        _ arguments: [String], workDirectory: URL, label: String, deadline: DependencyDeadline,
        limitCheck: (@Sendable () -> String?)? = nil
    ) async throws(DependencyError) -> BoundedProcess.Outcome {
        do {
            for name in ["home", "tmp", "uv-cache"] {
                try FileManager.default.createDirectory(
                    at: workDirectory.appendingPathComponent(name), withIntermediateDirectories: true)
            }
        } catch {
            throw Self.fileError(error, doing: "creating uv's directories")
        }
        do {
            return try await BoundedProcess.run(
                executable: uvPath, arguments: arguments,
                environment: environment(workDirectory: workDirectory),
                directory: workDirectory, label: label, deadline: deadline.instant, outputCap: outputCapBytes,
                limitCheck: limitCheck)
        } catch {
            throw .uvUnavailable(UVDiagnostics(indexURL: indexURL).redact(error.reason))
        }
    }

    private func failure(
        _ outcome: BoundedProcess.Outcome, requirements: [Requirement], deadline: DependencyDeadline,
        limit: UInt64 = 0
    ) -> DependencyError {
        switch outcome.end {
        case .deadlineExceeded:
            return .timedOut(after: deadline.timeout)
        case .limitExceeded:
            return .tooLarge(limitBytes: limit)
        case .signaled(let signal):
            return .uvFailed("uv was killed by signal \(signal)")
        case .exited:
            return UVDiagnostics(indexURL: indexURL).classify(stderr: outcome.stderr, requirements: requirements)
        }
    }

    private func write(_ text: String, to url: URL) throws(DependencyError) {
        do {
            try Data(text.utf8).write(to: url)
        } catch {
            throw Self.fileError(error, doing: "writing \(url.lastPathComponent)")
        }
    }

    /// A file-system failure: a full disk, or else an unexpected one (both transient).
    static func fileError(_ error: any Error, doing what: String) -> DependencyError {
        let code = (error as NSError).userInfo[NSUnderlyingErrorKey].map { ($0 as? NSError)?.code ?? 0 } ?? 0
        let isFull = code == Int(ENOSPC) || code == Int(EDQUOT) || (error as NSError).code == NSFileWriteOutOfSpaceError
        let message = "\(what): \(error.localizedDescription)"
        return isFull ? .diskFull(message) : .uvFailed(message)
    }
}
