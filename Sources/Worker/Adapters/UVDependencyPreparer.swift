import Dependencies

/// The production ``DependencyPreparer``: a job's PEP 723 dependencies resolved and installed by uv (wheels
/// only, against `PYTHON_INDEX_URL`, within `DEPENDENCY_TIMEOUT` and `MAX_ENVIRONMENT_MB`), one cached
/// environment per resolved set under `STATE_DIR/environments`.
public struct UVDependencyPreparer: DependencyPreparer {
    let cache: EnvironmentCache
    let interpreter: PythonInterpreter

    /// Creates a preparer over `cache`, checking `requires-python` against `interpreter` (the sandbox's).
    public init(cache: EnvironmentCache, interpreter: PythonInterpreter) {
        self.cache = cache
        self.interpreter = interpreter
    }

    public func prepare(code: [UInt8]) async throws -> PreparedDependencies? {
        guard let requirements = try DeclaredDependencies.read(code, interpreter: interpreter.pep440Version) else {
            return nil
        }
        let lease: EnvironmentLease
        do {
            lease = try await cache.acquire(requirements)
        } catch {
            throw error.isJobFault
                ? StageError.invalidJobInput("its dependencies cannot be installed: \(error)")
                : StageError.transient("installing the job's dependencies failed: \(error)")
        }
        return PreparedDependencies(
            sitePackages: lease.sitePackages.path, packages: lease.packages, release: { await lease.release() })
    }
}

/// The ``DependencyPreparer`` of a worker that installs no dependencies (uv was not found, or tests): a job
/// declaring some is answered with an error document saying why; `requires-python` is still checked.
public struct NoDependencyInstaller: DependencyPreparer {
    let reason: String
    let interpreter: PEP440Version?

    /// Creates it; `reason` says why this worker installs no dependencies.
    public init(reason: String, interpreter: PEP440Version? = nil) {
        self.reason = reason
        self.interpreter = interpreter
    }

    public func prepare(code: [UInt8]) async throws -> PreparedDependencies? {
        guard let requirements = try DeclaredDependencies.read(code, interpreter: interpreter) else { return nil }
        throw StageError.invalidJobInput(
            "it declares \(requirements.count) dependencies and this worker does not install dependencies (\(reason))")
    }
}
