import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Environments for jobs' dependencies, one per resolved set, built with uv and kept on disk under a root
/// directory (`STATE_DIR/environments`).
///
/// - **Keyed by the lock**: an environment's directory is named by the SHA-256 of the canonical lock (sorted
///   names, versions and wheel hashes) and the interpreter (``DependencyLock/key(for:)``).
/// - **Built aside, then renamed into place**: each build installs into `ROOT/.tmp-build-UUID/env` and is
///   renamed to `ROOT/KEY` only when complete (installed, measured, recorded), so a crash mid-build leaves no
///   environment that would be used; ``init(configuration:resolver:)`` removes every `.tmp-*` entry left
///   behind. The cache therefore owns its root: one worker per root.
/// - **Built once**: concurrent requests for one set share one build, and concurrent requests for the same
///   requirements share one resolution.
/// - **Resolutions remembered**: the lock of a requirement list (and a failure that is the job's fault, in
///   resolving or in building) is reused for ``Configuration/resolutionLifetime`` without running uv; after that the index is asked again,
///   so that new releases are picked up. A hit on a remembered resolution whose environment exists runs no uv
///   at all.
/// - **Least recently used evicted** beyond ``Configuration/budgetBytes`` (`ENVIRONMENT_CACHE_MB`), by the
///   modification time of each environment's `last-used` file, touched at every acquisition. An environment
///   with a lease out, or being built, is never evicted.
public actor EnvironmentCache {
    /// What the cache needs from the worker's configuration.
    public struct Configuration: Sendable {
        /// The root directory (`STATE_DIR/environments`), created if missing.
        public var root: URL
        /// The largest one environment may be (`MAX_ENVIRONMENT_MB`).
        public var maximumEnvironmentBytes: UInt64
        /// The total size environments are evicted down to (`ENVIRONMENT_CACHE_MB`).
        public var budgetBytes: UInt64
        /// The time one preparation (resolution and installation) may take (`DEPENDENCY_TIMEOUT`).
        public var timeout: Duration
        /// How long a resolution is reused.
        public var resolutionLifetime: Duration
        /// The distributions allowed (`PYTHON_PACKAGE_ALLOWLIST`), or nil for any.
        public var allowlist: PackageAllowlist?

        /// Creates a configuration; resolutions are reused for 10 minutes unless told otherwise.
        public init(
            root: URL, maximumEnvironmentBytes: UInt64, budgetBytes: UInt64, timeout: Duration,
            resolutionLifetime: Duration = .seconds(600), allowlist: PackageAllowlist? = nil
        ) {
            self.root = root
            self.maximumEnvironmentBytes = maximumEnvironmentBytes
            self.budgetBytes = budgetBytes
            self.timeout = timeout
            self.resolutionLifetime = resolutionLifetime
            self.allowlist = allowlist
        }
    }

    /// Counters for `/metrics`.
    public struct Statistics: Sendable, Equatable {
        /// Acquisitions served by an environment already on disk.
        public var hits = 0
        /// Acquisitions that needed a build (their own or one already running).
        public var misses = 0
        /// `uv pip compile` runs.
        public var resolutions = 0
        /// `uv pip install` runs (successful or not).
        public var builds = 0
        /// Time spent in builds.
        public var buildTime: Duration = .zero
        /// Environments evicted.
        public var evictions = 0

        /// Counters with the values given (all zero by default).
        public init(
            hits: Int = 0, misses: Int = 0, resolutions: Int = 0, builds: Int = 0, buildTime: Duration = .zero,
            evictions: Int = 0
        ) {
            self.hits = hits
            self.misses = misses
            self.resolutions = resolutions
            self.builds = builds
            self.buildTime = buildTime
            self.evictions = evictions
        }
    }

    /// The most remembered resolutions.
    public static let maximumRememberedResolutions = 1024

    private let configuration: Configuration
    private let resolver: UVResolver
    private var leases: [String: Int] = [:]
    private var builds: [String: Task<Result<CachedEnvironment, DependencyError>, Never>] = [:]
    private var resolving: [String: Task<Result<DependencyLock, DependencyError>, Never>] = [:]
    private var resolutions:
        [String: (result: Result<DependencyLock, DependencyError>, expires: ContinuousClock.Instant)] = [:]
    private var failedBuilds: [String: (error: DependencyError, expires: ContinuousClock.Instant)] = [:]
    /// The counters so far.
    public private(set) var statistics = Statistics()

    /// Opens (creating it if needed) the cache at `configuration.root`, removes what interrupted builds and
    /// evictions left, and evicts down to the budget.
    public init(configuration: Configuration, resolver: UVResolver) throws(DependencyError) {
        self.configuration = configuration
        self.resolver = resolver
        let root = configuration.root
        do {
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try Self.removeLeftovers(root: root)
        } catch {
            throw UVResolver.fileError(error, doing: "preparing \(root.path)")
        }
        let entries = Self.list(root: root)
        var total = entries.reduce(0) { $0 + $1.sizeBytes }
        for entry in entries where total > configuration.budgetBytes {
            Self.remove(entry.key, root: root)
            total -= entry.sizeBytes
            statistics.evictions += 1
        }
    }

    /// An environment holding `requirements` (a job's parsed `dependencies`, not empty) and everything they
    /// depend on, built if needed, with a lease that keeps it from eviction until released.
    public func acquire(_ requirements: [Requirement]) async throws(DependencyError) -> EnvironmentLease {
        guard !requirements.isEmpty else { throw .invalidRequirement("no dependencies to install") }
        try checkAllowed(requirements.map(\.packageName))
        let deadline = DependencyDeadline(timeout: configuration.timeout)
        let lock = try await lock(for: requirements, deadline: deadline)
        try checkAllowed(lock.packages.compactMap { PackageName($0.name) })
        let key = lock.key(for: resolver.interpreter)
        if let existing = Self.readRecord(key, root: configuration.root) {
            statistics.hits += 1
            return lease(existing)
        }
        statistics.misses += 1
        if let failure = failedBuilds[key], failure.expires > .now { throw failure.error }
        if builds[key] == nil && leases[key] == nil {
            // A directory under the key without a readable record (damaged by hand or by the disk) would block
            // the rename of a fresh build: move it out of the way.
            Self.remove(key, root: configuration.root)
        }
        while true {
            let task: Task<Result<CachedEnvironment, DependencyError>, Never>
            if let running = builds[key] {
                task = running
            } else {
                let (root, resolver, maximum) = (configuration.root, resolver, configuration.maximumEnvironmentBytes)
                task = Task.detached {
                    await Self.build(
                        lock, key: key, root: root, resolver: resolver, deadline: deadline, maximumBytes: maximum)
                }
                builds[key] = task
            }
            let started = ContinuousClock.now
            let result = await task.value
            if builds[key] == task {
                builds[key] = nil
                statistics.builds += 1
                statistics.buildTime += ContinuousClock.now - started
                if case .failure(let error) = result, error.isJobFault { rememberFailedBuild(error, for: key) }
            }
            _ = try result.get()
            // Another request's eviction may have removed the environment between the build's end and this
            // request's turn (its own lease returned quickly): then build it again, within the same deadline.
            guard let environment = Self.readRecord(key, root: configuration.root) else { continue }
            let granted = lease(environment)
            evict()
            return granted
        }
    }

    /// Every environment in the cache, least recently used first.
    public func environments() -> [CachedEnvironment] {
        Self.list(root: configuration.root)
    }

    /// Evicts least recently used environments, skipping those in use or being built, until the total is
    /// within `budgetBytes` (the configured budget by default; 0 removes every idle environment). Returns
    /// what was evicted.
    @discardableResult
    public func evict(toBytes budgetBytes: UInt64? = nil) -> [CachedEnvironment] {
        let budget = budgetBytes ?? configuration.budgetBytes
        let entries = Self.list(root: configuration.root)
        var total = entries.reduce(0) { $0 + $1.sizeBytes }
        var evicted: [CachedEnvironment] = []
        for entry in entries where total > budget {
            guard leases[entry.key, default: 0] == 0, builds[entry.key] == nil else { continue }
            Self.remove(entry.key, root: configuration.root)
            total -= entry.sizeBytes
            evicted.append(entry)
            statistics.evictions += 1
        }
        return evicted
    }

    /// The environments under `root`, least recently used first, without opening the cache (no clean-up):
    /// for an operator's listing while a worker may be running.
    public static func list(root: URL) -> [CachedEnvironment] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.compactMap { readRecord($0, root: root) }
            .sorted { ($0.lastUsed ?? .distantPast, $0.key) < ($1.lastUsed ?? .distantPast, $1.key) }
    }

    func returnLease(_ key: String) {
        let remaining = leases[key, default: 0] - 1
        leases[key] = remaining > 0 ? remaining : nil
    }

    // MARK: - Resolution

    private func lock(for requirements: [Requirement], deadline: DependencyDeadline) async throws(DependencyError)
        -> DependencyLock
    {
        let key = resolutionKey(requirements)
        if let remembered = resolutions[key], remembered.expires > .now { return try remembered.result.get() }
        let task: Task<Result<DependencyLock, DependencyError>, Never>
        if let running = resolving[key] {
            task = running
        } else {
            let (root, resolver) = (configuration.root, resolver)
            task = Task.detached {
                await Self.resolve(requirements, root: root, resolver: resolver, deadline: deadline)
            }
            resolving[key] = task
        }
        let result = await task.value
        if resolving[key] == task {
            resolving[key] = nil
            statistics.resolutions += 1
            remember(result, for: key)
        }
        return try result.get()
    }

    /// Keeps a lock, or a failure that is the job's fault, for the resolution lifetime.
    private func remember(_ result: Result<DependencyLock, DependencyError>, for key: String) {
        if case .failure(let error) = result, !error.isJobFault { return }
        let now = ContinuousClock.now
        resolutions[key] = (result, now + configuration.resolutionLifetime)
        guard resolutions.count > Self.maximumRememberedResolutions else { return }
        resolutions = resolutions.filter { $0.value.expires > now }
        while resolutions.count > Self.maximumRememberedResolutions,
            let oldest = resolutions.min(by: { $0.value.expires < $1.value.expires })
        {
            resolutions[oldest.key] = nil
        }
    }

    /// Keeps a build failure that is the job's fault (an environment over the size cap, a timeout) for the
    /// resolution lifetime, so that jobs repeating the same set do not download it again.
    private func rememberFailedBuild(_ error: DependencyError, for key: String) {
        let now = ContinuousClock.now
        failedBuilds = failedBuilds.filter { $0.value.expires > now }
        guard failedBuilds.count < Self.maximumRememberedResolutions else { return }
        failedBuilds[key] = (error, now + configuration.resolutionLifetime)
    }

    /// SHA-256 of the index, the interpreter and the sorted, de-duplicated requirements.
    private func resolutionKey(_ requirements: [Requirement]) -> String {
        let lines = Set(requirements.map(\.description)).sorted()
        let text = (["index \(resolver.indexURL)", "interpreter \(resolver.interpreter.identity)"] + lines)
            .joined(separator: "\n")
        return SHA256Hex.digest(text)
    }

    private static func resolve(
        _ requirements: [Requirement], root: URL, resolver: UVResolver, deadline: DependencyDeadline
    ) async -> Result<DependencyLock, DependencyError> {
        let work = root.appendingPathComponent(".tmp-resolve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        } catch {
            return .failure(UVResolver.fileError(error, doing: "creating a resolution directory"))
        }
        do throws(DependencyError) {
            return .success(try await resolver.resolve(requirements, workDirectory: work, deadline: deadline))
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Building

    private static func build(
        _ lock: DependencyLock, key: String, root: URL, resolver: UVResolver, deadline: DependencyDeadline,
        maximumBytes: UInt64
    ) async -> Result<CachedEnvironment, DependencyError> {
        let temporary = root.appendingPathComponent(".tmp-build-\(UUID().uuidString)")
        let staged = temporary.appendingPathComponent("env")
        let site = staged.appendingPathComponent("site")
        let work = temporary.appendingPathComponent("work")
        defer { try? FileManager.default.removeItem(at: temporary) }
        do throws(DependencyError) {
            do {
                try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
                try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            } catch {
                throw UVResolver.fileError(error, doing: "creating a build directory")
            }
            try await resolver.install(
                lock, into: site, workDirectory: work, deadline: deadline, maximumBytes: maximumBytes)
            let record = CachedEnvironment(
                key: key, packages: lock.pins, sizeBytes: DirectorySize.allocatedBytes(at: site.path),
                interpreter: resolver.interpreter, createdAt: Date())
            do {
                try Data(lock.requirementsText.utf8).write(to: staged.appendingPathComponent("lock.txt"))
                try JSONEncoder().encode(record).write(to: staged.appendingPathComponent(recordName))
                try Data().write(to: staged.appendingPathComponent(lastUsedName))
            } catch {
                throw UVResolver.fileError(error, doing: "recording the environment")
            }
            let destination = root.appendingPathComponent(key)
            if rename(staged.path, destination.path) != 0 {
                // Another build of the same lock got there first (a second worker on the same root).
                guard let existing = readRecord(key, root: root) else {
                    throw UVResolver.fileError(
                        NSError(domain: NSPOSIXErrorDomain, code: Int(errno)),
                        doing: "moving the environment into place")
                }
                return .success(existing)
            }
            return .success(record)
        } catch {
            return .failure(error)
        }
    }

    // MARK: - Records, leases, removal

    private static let recordName = "environment.json"
    private static let lastUsedName = "last-used"

    /// The record of environment `key`, with its last use, or nil when there is no complete environment.
    private static func readRecord(_ key: String, root: URL) -> CachedEnvironment? {
        let directory = root.appendingPathComponent(key)
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(recordName).path),
            var record = try? JSONDecoder().decode(CachedEnvironment.self, from: data), record.key == key
        else { return nil }
        let attributes = try? FileManager.default.attributesOfItem(
            atPath: directory.appendingPathComponent(lastUsedName).path)
        record.lastUsed = attributes?[.modificationDate] as? Date
        return record
    }

    private func lease(_ environment: CachedEnvironment) -> EnvironmentLease {
        leases[environment.key, default: 0] += 1
        let directory = configuration.root.appendingPathComponent(environment.key)
        let now = Date()
        try? FileManager.default.setAttributes(
            [.modificationDate: now], ofItemAtPath: directory.appendingPathComponent(Self.lastUsedName).path)
        var used = environment
        used.lastUsed = now
        return EnvironmentLease(environment: used, sitePackages: directory.appendingPathComponent("site"), cache: self)
    }

    /// Removes every `.tmp-*` entry under `root` (interrupted builds, resolutions and evictions) and returns
    /// their names; only safe when nothing else uses `root`.
    @discardableResult
    static func removeLeftovers(root: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".tmp-") }
        for name in names { try FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
        return names.sorted()
    }

    /// Renames the environment out of its key first, so that an interrupted removal leaves a `.tmp-` entry
    /// (removed at the next start), never a half environment under its key. Returns whether it was renamed
    /// away (false: there was nothing under the key).
    @discardableResult
    static func remove(_ key: String, root: URL) -> Bool {
        let doomed = root.appendingPathComponent(".tmp-evict-\(UUID().uuidString)")
        guard rename(root.appendingPathComponent(key).path, doomed.path) == 0 else { return false }
        try? FileManager.default.removeItem(at: doomed)
        return true
    }

    private func checkAllowed(_ names: [PackageName]) throws(DependencyError) {
        guard let allowlist = configuration.allowlist else { return }
        let refused = allowlist.refused(names)
        guard refused.isEmpty else { throw .notAllowed(packages: refused.map(\.normalized)) }
    }
}
