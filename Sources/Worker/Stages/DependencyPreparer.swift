/// A job's declared dependencies, installed and held for it until it has run.
public final class PreparedDependencies: Sendable, Hashable {
    /// The directory of installed packages, put read-only on the job's `PYTHONPATH`.
    public let sitePackages: String
    /// The resolved `name==version` of every package, in order (the result document's `dependencies`).
    public let packages: [String]
    private let releaseEnvironment: @Sendable () async -> Void

    /// Wraps an installed environment; `release` gives it back (to its cache) once the job has run.
    public init(sitePackages: String, packages: [String], release: @escaping @Sendable () async -> Void) {
        self.sitePackages = sitePackages
        self.packages = packages
        self.releaseEnvironment = release
    }

    /// Gives the environment back; the job has run.
    public func release() async {
        await releaseEnvironment()
    }

    public static func == (lhs: PreparedDependencies, rhs: PreparedDependencies) -> Bool { lhs === rhs }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(self))
    }
}

/// Reads a job's PEP 723 inline script metadata and gets its dependencies installed, in the preparation stage
/// (never holding an execution slot).
public protocol DependencyPreparer: Sendable {
    /// The installed dependencies `code` declares; nil when it declares none (no `# /// script` block, or one
    /// without dependencies). Metadata that is malformed, a `requires-python` the sandbox's interpreter does
    /// not meet, and dependencies that cannot be met (unknown, sdist only, refused, too large, too slow) are
    /// the job's fault (``StageError/invalidJobInput(_:)``); an unreachable index is transient.
    func prepare(code: [UInt8]) async throws -> PreparedDependencies?
}
