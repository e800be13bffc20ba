/// A job's declared dependencies, installed and held for it until it has run.
package final class PreparedDependencies: Sendable, Hashable {
    /// The directory of installed packages, put read-only on the job's `PYTHONPATH`.
    package let sitePackages: String
    /// The resolved `name==version` of every package, in order (the result document's `dependencies`).
    package let packages: [String]
    private let releaseEnvironment: @Sendable () async -> Void

    /// Wraps an installed environment; `release` gives it back (to its cache) once the job has run.
    package init(sitePackages: String, packages: [String], release: @escaping @Sendable () async -> Void) {
        self.sitePackages = sitePackages
        self.packages = packages
        self.releaseEnvironment = release
    }

    /// Gives the environment back; the job has run.
    package func release() async {
        await releaseEnvironment()
    }

    package static func == (lhs: PreparedDependencies, rhs: PreparedDependencies) -> Bool { lhs === rhs }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(self))
    }
}

/// Reads a job's PEP 723 inline script metadata and gets its dependencies installed, in the preparation stage
/// (never holding an execution slot).
package protocol DependencyPreparer: Sendable {
    /// The installed dependencies `code` declares; nil when it declares none (no `# /// script` block, or one
    /// without dependencies). Metadata that is malformed, a `requires-python` the sandbox's interpreter does
    /// not meet, and dependencies that cannot be met (unknown, sdist only, refused, too large, too slow) are
    /// the job's fault (``StageError/invalidJobInput(_:)``); an unreachable index is transient.
    func prepare(code: [UInt8]) async throws -> PreparedDependencies?
}
