import Dependencies
import Retry
import Synchronization

/// The production ``DependencyPreparer``: a job's PEP 723 dependencies resolved and installed by uv (wheels
/// only, against `PYTHON_INDEX_URL`, within `DEPENDENCY_TIMEOUT` and `MAX_ENVIRONMENT_MB`), one cached
/// environment per resolved set under `STATE_DIR/environments`.
///
/// With metrics, every acquisition is followed by a reading of the cache's ``EnvironmentCache/Statistics``,
/// recorded on `/metrics` (``EnvironmentCacheMetrics``); a job without dependencies reads nothing.
package struct UVDependencyPreparer: DependencyPreparer {
    let cache: EnvironmentCache
    let interpreter: PythonInterpreter
    let cacheMetrics: EnvironmentCacheMetrics?

    /// Creates a preparer over `cache`, checking `requires-python` against `interpreter` (the sandbox's), and
    /// recording the cache's hits, misses, builds and evictions in `metrics` when given.
    package init(cache: EnvironmentCache, interpreter: PythonInterpreter, metrics: WorkerMetrics? = nil) {
        self.cache = cache
        self.interpreter = interpreter
        self.cacheMetrics = metrics.map(EnvironmentCacheMetrics.init(metrics:))
    }

    package func prepare(code: [UInt8]) async throws -> PreparedDependencies? {
        guard let requirements = try DeclaredDependencies.read(code, interpreter: interpreter.pep440Version) else {
            return nil
        }
        let lease: EnvironmentLease
        do {
            lease = try await cache.acquire(requirements)
        } catch {
            await recordCacheMetrics()
            throw error.isJobFault
                ? StageError.invalidJobInput("its dependencies cannot be installed: \(error)")
                : StageError.transient("installing the job's dependencies failed: \(error)")
        }
        await recordCacheMetrics()
        return PreparedDependencies(
            sitePackages: lease.sitePackages.path, packages: lease.packages, release: { await lease.release() })
    }

    /// Records what the cache counted since the last reading (nothing without metrics) and, the first time and
    /// after a build or an eviction, how many environments it holds and their size. Called after every
    /// acquisition, and once when the worker starts (evictions made while opening the cache).
    package func recordCacheMetrics() async {
        guard let cacheMetrics else { return }
        guard cacheMetrics.record(await cache.statistics) else { return }
        let environments = await cache.environments()
        cacheMetrics.metrics.environmentCache(
            count: environments.count, bytes: environments.reduce(0) { $0 + $1.sizeBytes })
    }
}

/// Turns the environment cache's cumulative ``EnvironmentCache/Statistics`` into `/metrics` increments.
///
/// Each reading records only what grew since the largest reading recorded so far, so readings taken by
/// concurrent jobs may arrive in any order and every hit, miss, resolution, build and eviction is still
/// counted exactly once. Builds that ended between two readings are observed in the build histogram with
/// their mean duration (exact when one build ends per reading, the usual case).
package final class EnvironmentCacheMetrics: Sendable {
    /// Where the figures go.
    package let metrics: WorkerMetrics
    private let recorded = Mutex<EnvironmentCache.Statistics?>(nil)

    /// Records into `metrics`.
    package init(metrics: WorkerMetrics) {
        self.metrics = metrics
    }

    /// Records the growth of `statistics` over the readings recorded before; returns whether the environments
    /// on disk may have changed (the first reading, a build, an eviction).
    @discardableResult
    package func record(_ statistics: EnvironmentCache.Statistics) -> Bool {
        let (growth, first) = recorded.withLock { last in
            let first = last == nil
            let before = last ?? EnvironmentCache.Statistics()
            var largest = statistics
            largest.hits = max(statistics.hits, before.hits)
            largest.misses = max(statistics.misses, before.misses)
            largest.resolutions = max(statistics.resolutions, before.resolutions)
            largest.builds = max(statistics.builds, before.builds)
            largest.buildTime = max(statistics.buildTime, before.buildTime)
            largest.evictions = max(statistics.evictions, before.evictions)
            last = largest
            var growth = EnvironmentCache.Statistics()
            growth.hits = largest.hits - before.hits
            growth.misses = largest.misses - before.misses
            growth.resolutions = largest.resolutions - before.resolutions
            growth.builds = largest.builds - before.builds
            growth.buildTime = largest.buildTime - before.buildTime
            growth.evictions = largest.evictions - before.evictions
            return (growth, first)
        }
        metrics.environmentAcquisitions(hits: growth.hits, misses: growth.misses)
        metrics.environmentResolutions(growth.resolutions)
        metrics.environmentEvictions(growth.evictions)
        for _ in 0..<growth.builds {
            metrics.environmentBuild(seconds: growth.buildTime.inSeconds / Double(growth.builds))
        }
        return first || growth.builds > 0 || growth.evictions > 0
    }
}

/// The ``DependencyPreparer`` of a worker that installs no dependencies (uv was not found, or tests): a job
/// declaring some is answered with an error document saying why; `requires-python` is still checked.
package struct NoDependencyInstaller: DependencyPreparer {
    let reason: String
    let interpreter: PEP440Version?

    /// Creates it; `reason` says why this worker installs no dependencies.
    package init(reason: String, interpreter: PEP440Version? = nil) {
        self.reason = reason
        self.interpreter = interpreter
    }

    package func prepare(code: [UInt8]) async throws -> PreparedDependencies? {
        guard let requirements = try DeclaredDependencies.read(code, interpreter: interpreter) else { return nil }
        throw StageError.invalidJobInput(
            "it declares \(requirements.count) dependencies and this worker does not install dependencies (\(reason))")
    }
}
