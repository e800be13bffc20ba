import Foundation

extension EnvironmentCache {
    /// What ``prune(root:toBytes:)`` did.
    public struct Pruning: Sendable, Equatable {
        /// The environments removed, least recently used first.
        public var evicted: [CachedEnvironment]
        /// The environments left, least recently used first.
        public var kept: [CachedEnvironment]
        /// The `.tmp-*` entries removed: what interrupted builds, resolutions and evictions left behind.
        public var leftovers: [String]

        /// Creates a report.
        public init(evicted: [CachedEnvironment], kept: [CachedEnvironment], leftovers: [String]) {
            self.evicted = evicted
            self.kept = kept
            self.leftovers = leftovers
        }

        /// Bytes the evicted environments took.
        public var evictedBytes: UInt64 { evicted.reduce(0) { $0 + $1.sizeBytes } }
        /// Bytes the environments left take.
        public var keptBytes: UInt64 { kept.reduce(0) { $0 + $1.sizeBytes } }
    }

    /// Evicts the least recently used environments under `root` until the rest take at most `budgetBytes` (0
    /// removes them all), and removes every `.tmp-*` entry, without opening a cache and without a resolver: for
    /// an operator's command.
    ///
    /// Only for a root that no cache has open (no worker running on its state directory): it knows nothing of
    /// leases or builds in progress, so it would remove an environment a job is about to run with, or the
    /// staging directory of a build. The caller makes sure of that (the worker's `STATE_DIR/worker.lock`).
    /// Environments are removed as the cache removes them (renamed out of their key first), so an interrupted
    /// prune leaves no half environment under a key.
    public static func prune(root: URL, toBytes budgetBytes: UInt64) throws(DependencyError) -> Pruning {
        let leftovers: [String]
        do {
            leftovers = try FileManager.default.fileExists(atPath: root.path) ? removeLeftovers(root: root) : []
        } catch {
            throw UVResolver.fileError(error, doing: "removing what interrupted builds left in \(root.path)")
        }
        let entries = list(root: root)
        var total = entries.reduce(0) { $0 + $1.sizeBytes }
        var pruning = Pruning(evicted: [], kept: [], leftovers: leftovers)
        for entry in entries {
            if total > budgetBytes, remove(entry.key, root: root) {
                total -= entry.sizeBytes
                pruning.evicted.append(entry)
            } else {
                pruning.kept.append(entry)
            }
        }
        return pruning
    }
}
