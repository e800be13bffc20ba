import Foundation

/// One environment in the cache, as `environment.json` records it beside the installed files.
public struct CachedEnvironment: Sendable, Equatable, Codable {
    /// The lock's key (``DependencyLock/key(for:)``), also the directory's name.
    public var key: String
    /// `name==version` of every package, sorted by name.
    public var packages: [String]
    /// Bytes the installed files take on disk.
    public var sizeBytes: UInt64
    /// The interpreter it was built for.
    public var interpreter: PythonInterpreter
    /// When it was built.
    public var createdAt: Date
    /// When a job last acquired it (the `last-used` file's modification time); filled in when listed.
    public var lastUsed: Date?

    /// Creates a record.
    public init(
        key: String, packages: [String], sizeBytes: UInt64, interpreter: PythonInterpreter, createdAt: Date,
        lastUsed: Date? = nil
    ) {
        self.key = key
        self.packages = packages
        self.sizeBytes = sizeBytes
        self.interpreter = interpreter
        self.createdAt = createdAt
        self.lastUsed = lastUsed
    }
}
