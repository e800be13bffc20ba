import Foundation
import Synchronization

/// The right to use one cached environment: while a lease is held, the environment is not evicted. Release it
/// when the job has finished running (``release()``); a lease dropped without being released is released
/// then, as a safety net.
public final class EnvironmentLease: Sendable {
    /// The environment.
    public let environment: CachedEnvironment
    /// The directory to put on the job's `PYTHONPATH` (bound read-only into the sandbox).
    public let sitePackages: URL
    private let cache: EnvironmentCache
    private let released = Mutex(false)

    init(environment: CachedEnvironment, sitePackages: URL, cache: EnvironmentCache) {
        self.environment = environment
        self.sitePackages = sitePackages
        self.cache = cache
    }

    /// `name==version` of every package, for the result document's `dependencies`.
    public var packages: [String] { environment.packages }

    /// Gives the environment back; calling it again does nothing.
    public func release() async {
        guard takeRelease() else { return }
        await cache.returnLease(environment.key)
    }

    private func takeRelease() -> Bool {
        released.withLock { wasReleased in
            defer { wasReleased = true }
            return !wasReleased
        }
    }

    deinit {
        guard takeRelease() else { return }
        let cache = cache
        let key = environment.key
        Task { await cache.returnLease(key) }
    }
}
