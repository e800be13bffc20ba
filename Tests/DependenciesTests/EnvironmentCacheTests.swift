import Foundation
import Testing

@testable import Dependencies

/// The cache with real uv against the local index: resolution, installation, failures, reuse, concurrency,
/// crash safety and eviction.
@Suite(.enabled(if: UVFixture.available, UVFixture.skipReason))
struct EnvironmentCacheTests {
    @Test func installsTheResolvedSetAndItImports() async throws {
        let directory = try UVFixture.temporaryDirectory("install")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(root: directory.appendingPathComponent("environments")),
            resolver: try await UVFixture.resolver(uv: UVFixture.uvPath!))
        let lease = try await cache.acquire(UVFixture.requirements("cm-beta"))
        #expect(lease.packages == ["cm-alpha==1.0", "cm-beta==1.0"])
        let output = try UVFixture.runPython(
            "import cm_beta, cm_alpha; print(cm_beta.VALUE, cm_alpha.VALUE)", sitePackages: lease.sitePackages)
        #expect(output == "beta 1.0 alpha 1.0\n")
        #expect(lease.environment.sizeBytes > 0)
        #expect(lease.environment.interpreter.pep440Version != nil)
        #expect(lease.environment.interpreter.platform.hasPrefix("linux-"))
        await lease.release()
    }

    @Test func aVersionConstraintPicksTheRightRelease() async throws {
        let directory = try UVFixture.temporaryDirectory("constraint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(root: directory.appendingPathComponent("environments")),
            resolver: try await UVFixture.resolver(uv: UVFixture.uvPath!))
        let newest = try await cache.acquire(UVFixture.requirements("cm-alpha"))
        let older = try await cache.acquire(UVFixture.requirements("cm-alpha<2"))
        #expect(newest.packages == ["cm-alpha==2.0"])
        #expect(older.packages == ["cm-alpha==1.0"])
        #expect(
            try UVFixture.runPython("import cm_alpha; print(cm_alpha.VALUE)", sitePackages: older.sitePackages)
                == "alpha 1.0\n")
        #expect(newest.environment.key != older.environment.key)
    }

    @Test(arguments: [
        (["cm-nosuch"], "cm-nosuch", "cm-nosuch was not found in the package registry"),
        (["cm-sdist-only"], "cm-sdist-only", "has no usable wheels"),
        (["cm-beta", "cm-alpha>=2"], "cm-beta", "cm-alpha<2"),
        (["cm-future"], "cm-future", "requires Python >=4"),
    ])
    func unsatisfiableRequirementsAreTheJobsFault(requirements: [String], package: String, explanation: String)
        async throws
    {
        let directory = try UVFixture.temporaryDirectory("unsatisfiable")
        defer { try? FileManager.default.removeItem(at: directory) }
        let marker = "/tmp/cloudmesh-sdist-setup-ran"
        try? FileManager.default.removeItem(atPath: marker)
        let uv = try UVFixture.CountingUV(in: directory)
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(root: directory.appendingPathComponent("environments")),
            resolver: try await UVFixture.resolver(uv: uv.path))
        let parsed = try requirements.map { try Requirement(parsing: $0) }
        let error = try await #require(throws: DependencyError.self) { try await cache.acquire(parsed) }
        guard case .unsatisfiable(let named, let text) = error else {
            Issue.record("expected unsatisfiable, got \(error)")
            return
        }
        #expect(named == package)
        #expect(text.contains(explanation), "\(text)")
        #expect(error.isJobFault)
        #expect(error.description.hasPrefix("dependencies cannot be installed (\(package)): "))
        #expect(!FileManager.default.fileExists(atPath: marker), "an sdist's setup.py ran")
        // The failure is remembered: asking again runs no uv.
        _ = await #expect(throws: error) { try await cache.acquire(parsed) }
        #expect(uv.runs == ["compile"])
    }

    @Test func theAllowlistRefusesDirectAndTransitivePackagesBeforeInstalling() async throws {
        let directory = try UVFixture.temporaryDirectory("allowlist")
        defer { try? FileManager.default.removeItem(at: directory) }
        let uv = try UVFixture.CountingUV(in: directory)
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(
                root: directory.appendingPathComponent("environments"),
                allowlist: try PackageAllowlist(setting: "CM_Beta")),
            resolver: try await UVFixture.resolver(uv: uv.path))
        await #expect(throws: DependencyError.notAllowed(packages: ["cm-alpha"])) {
            try await cache.acquire(UVFixture.requirements("cm-alpha"))
        }
        #expect(uv.runs == [], "a direct refusal asks nothing of the index")
        await #expect(throws: DependencyError.notAllowed(packages: ["cm-alpha"])) {
            try await cache.acquire(UVFixture.requirements("cm-beta"))
        }
        #expect(uv.runs == ["compile"], "a transitive refusal installs nothing")
        #expect(DependencyError.notAllowed(packages: ["cm-alpha"]).isJobFault)
    }

    @Test func aBuildOverTheSizeCapFailsAndLeavesNothing() async throws {
        let directory = try UVFixture.temporaryDirectory("size")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("environments")
        let uv = try UVFixture.CountingUV(in: directory)
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(root: root, maximumEnvironmentBytes: 256 * 1024),
            resolver: try await UVFixture.resolver(uv: uv.path))
        for _ in 0..<2 {
            await #expect(throws: DependencyError.tooLarge(limitBytes: 256 * 1024)) {
                try await cache.acquire(UVFixture.requirements("cm-big"))
            }
        }
        #expect(UVFixture.entries(root) == [])
        #expect(uv.runs == ["compile", "install"], "the failure is remembered: the set is not downloaded again")
        #expect(
            DependencyError.tooLarge(limitBytes: 256 * 1024).description
                == "dependencies too large: the environment exceeds the limit of 262144 bytes")
        #expect(
            DependencyError.tooLarge(limitBytes: 1024 << 20).description
                == "dependencies too large: the environment exceeds the limit of 1024 MB")
    }

    @Test func anIndexThatNeverAnswersTimesOutAndLeavesNothing() async throws {
        let directory = try UVFixture.temporaryDirectory("timeout")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try SilentServer()
        let root = directory.appendingPathComponent("environments")
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(root: root, timeout: .seconds(2)),
            resolver: try await UVFixture.resolver(
                uv: UVFixture.uvPath!, indexURL: "http://127.0.0.1:\(server.port)/simple", httpTimeoutSeconds: 60))
        let started = ContinuousClock.now
        await #expect(throws: DependencyError.timedOut(after: .seconds(2))) {
            try await cache.acquire(UVFixture.requirements("cm-alpha"))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(DependencyError.timedOut(after: .seconds(2)).isJobFault)
        #expect(UVFixture.entries(root) == [])
    }

    @Test func infrastructureFailuresAreTransientAndRedacted() async throws {
        let directory = try UVFixture.temporaryDirectory("transient")
        defer { try? FileManager.default.removeItem(at: directory) }
        let unreachable = try EnvironmentCache(
            configuration: UVFixture.configuration(root: directory.appendingPathComponent("a")),
            resolver: try await UVFixture.resolver(
                uv: UVFixture.uvPath!, indexURL: "http://user:s3cr3t-token@127.0.0.1:1/simple?api-key=k3y-value"))
        let error = try await #require(throws: DependencyError.self) {
            try await unreachable.acquire(UVFixture.requirements("cm-alpha"))
        }
        guard case .indexUnavailable = error else {
            Issue.record("expected indexUnavailable, got \(error)")
            return
        }
        #expect(!error.isJobFault)
        #expect(error.description.contains("Connection refused"))
        #expect(error.description.contains("api-key=REDACTED"))
        #expect(!error.description.contains("s3cr3t-token"))
        #expect(!error.description.contains("k3y-value"))
        let missing = try EnvironmentCache(
            configuration: UVFixture.configuration(root: directory.appendingPathComponent("b")),
            resolver: try await UVFixture.resolver(uv: directory.appendingPathComponent("no-uv").path))
        let launch = try await #require(throws: DependencyError.self) {
            try await missing.acquire(UVFixture.requirements("cm-alpha"))
        }
        guard case .uvUnavailable = launch else {
            Issue.record("expected uvUnavailable, got \(launch)")
            return
        }
        #expect(!launch.isJobFault)
    }

    @Test func theSameRequirementsReuseTheEnvironmentWithoutRunningUV() async throws {
        let directory = try UVFixture.temporaryDirectory("reuse")
        defer { try? FileManager.default.removeItem(at: directory) }
        let uv = try UVFixture.CountingUV(in: directory)
        let root = directory.appendingPathComponent("environments")
        let resolver = try await UVFixture.resolver(uv: uv.path)
        let cache = try EnvironmentCache(configuration: UVFixture.configuration(root: root), resolver: resolver)
        let first = try await cache.acquire(UVFixture.requirements("cm-beta"))
        #expect(uv.runs == ["compile", "install"])
        let second = try await cache.acquire(UVFixture.requirements("cm-beta"))
        #expect(uv.runs == ["compile", "install"], "a remembered resolution and a cached environment run no uv")
        #expect(second.environment.key == first.environment.key)
        #expect(await cache.statistics.hits == 1)
        #expect(await cache.statistics.misses == 1)
        // After a restart the resolution is asked again, and the environment on disk is reused.
        await first.release()
        await second.release()
        let restarted = try EnvironmentCache(configuration: UVFixture.configuration(root: root), resolver: resolver)
        let third = try await restarted.acquire(UVFixture.requirements("cm-beta"))
        #expect(uv.runs == ["compile", "install", "compile"])
        #expect(third.environment.key == first.environment.key)
        #expect(await restarted.statistics.hits == 1)
    }

    @Test func concurrentRequestsForOneSetBuildItOnce() async throws {
        let directory = try UVFixture.temporaryDirectory("concurrent")
        defer { try? FileManager.default.removeItem(at: directory) }
        let uv = try UVFixture.CountingUV(in: directory)
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(root: directory.appendingPathComponent("environments")),
            resolver: try await UVFixture.resolver(uv: uv.path))
        let requirements = try UVFixture.requirements("cm-beta")
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let lease = try await cache.acquire(requirements)
                    defer { Task { await lease.release() } }
                    return lease.environment.key
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(keys).count == 1)
        #expect(keys.count == 6)
        #expect(uv.runs == ["compile", "install"])
        #expect(await cache.statistics.builds == 1)
    }

    /// A build killed half way (here: stopped at the timeout after uv installed every file) is never used:
    /// while it runs the files sit in a `.tmp-` directory no lookup reads, and a restart removes it.
    ///
    /// The timeout leaves uv room to resolve and install on a loaded machine (at 4 s it did not always, with
    /// builds running beside the tests); the test waits for it, so it lasts that long.
    @Test func anInterruptedBuildLeavesNoUsableEnvironment() async throws {
        let timeout = Duration.seconds(12)
        let directory = try UVFixture.temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("environments")
        let uv = try UVFixture.CountingUV(in: directory, installDelay: 30)
        let resolver = try await UVFixture.resolver(uv: uv.path)
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(root: root, timeout: timeout), resolver: resolver)
        let building = Task { try await cache.acquire(UVFixture.requirements("cm-alpha==1.0")) }
        // Wait until uv has installed everything into the temporary directory (and sleeps).
        let deadline = ContinuousClock.now + timeout
        var installed: String?
        while installed == nil && ContinuousClock.now < deadline {
            installed = UVFixture.entries(root).first { $0.hasPrefix(".tmp-build-") }.flatMap { name in
                let site = root.appendingPathComponent(name).appendingPathComponent("env/site/cm_alpha/__init__.py")
                return FileManager.default.fileExists(atPath: site.path) ? name : nil
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(installed != nil, "uv installed the files")
        var sleeperBefore: Int32?
        while sleeperBefore == nil && ContinuousClock.now < deadline {
            sleeperBefore = (try? String(contentsOf: uv.sleeperPID, encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(sleeperBefore.map(UVFixture.isRunning) == true, "the build's background process runs until the timeout")
        #expect(EnvironmentCache.list(root: root) == [], "nothing under a key while the build is unfinished")
        #expect(UVFixture.entries(root).allSatisfy { $0.hasPrefix(".tmp-") })
        await #expect(throws: DependencyError.timedOut(after: timeout)) { try await building.value }
        #expect(UVFixture.entries(root) == [])
        // The whole process group was killed, the wrapper's background child included.
        let sleeper = try #require(
            Int32(String(contentsOf: uv.sleeperPID, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        var alive = true
        for _ in 0..<50 where alive {
            alive = UVFixture.isRunning(sleeper)
            if alive { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(!alive, "the build's background process outlived the timeout")

        // What a crash leaves (a finished-looking build never renamed, an eviction cut short) is removed at start.
        for stale in [".tmp-build-crashed/env/site/cm_alpha", ".tmp-evict-crashed/site"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(stale), withIntermediateDirectories: true)
        }
        // Restarted, with a plain uv (the wrapper above sleeps after installing).
        let restarted = try EnvironmentCache(
            configuration: UVFixture.configuration(root: root),
            resolver: try await UVFixture.resolver(uv: UVFixture.uvPath!))
        #expect(UVFixture.entries(root) == [])
        #expect(await restarted.environments() == [])

        // A directory under the key whose record is gone is not used, and is replaced by a complete build.
        let built = try await restarted.acquire(UVFixture.requirements("cm-alpha==1.0"))
        await built.release()
        let directoryOfKey = root.appendingPathComponent(built.environment.key)
        try FileManager.default.removeItem(at: directoryOfKey.appendingPathComponent("environment.json"))
        #expect(EnvironmentCache.list(root: root) == [])
        let rebuilt = try await restarted.acquire(UVFixture.requirements("cm-alpha==1.0"))
        #expect(rebuilt.environment.key == built.environment.key)
        #expect(
            try UVFixture.runPython("import cm_alpha; print(cm_alpha.VALUE)", sitePackages: rebuilt.sitePackages)
                == "alpha 1.0\n")
        await rebuilt.release()
    }

    @Test func evictsTheLeastRecentlyUsedButNeverOneInUse() async throws {
        let directory = try UVFixture.temporaryDirectory("evict")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("environments")
        let resolver = try await UVFixture.resolver(uv: UVFixture.uvPath!)
        let cache = try EnvironmentCache(configuration: UVFixture.configuration(root: root), resolver: resolver)
        let a = try await cache.acquire(UVFixture.requirements("cm-alpha==1.0"))
        let b = try await cache.acquire(UVFixture.requirements("cm-alpha==2.0"))
        let c = try await cache.acquire(UVFixture.requirements("cm-beta"))
        for lease in [a, b, c] { await lease.release() }
        // Use A again: B is now the least recently used.
        try await Task.sleep(for: .milliseconds(20))
        try await cache.acquire(UVFixture.requirements("cm-alpha==1.0")).release()
        let listed = await cache.environments()
        #expect(listed.map(\.key) == [b, c, a].map(\.environment.key))
        let total = listed.reduce(0) { $0 + $1.sizeBytes }
        #expect(await cache.evict(toBytes: total - 1).map(\.key) == [b.environment.key])
        // C in use survives even a budget of zero; A goes.
        let inUse = try await cache.acquire(UVFixture.requirements("cm-beta"))
        #expect(await cache.evict(toBytes: 0).map(\.key) == [a.environment.key])
        #expect(await cache.environments().map(\.key) == [c.environment.key])
        #expect(
            try UVFixture.runPython("import cm_beta; print(cm_beta.VALUE)", sitePackages: inUse.sitePackages)
                == "beta 1.0\n")
        await inUse.release()
        #expect(await cache.evict(toBytes: 0).map(\.key) == [c.environment.key])
        #expect(await cache.statistics.evictions == 3)
    }

    @Test func aNewBuildEvictsDownToTheBudget() async throws {
        let directory = try UVFixture.temporaryDirectory("budget")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("environments")
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(root: root, budgetBytes: 1),
            resolver: try await UVFixture.resolver(uv: UVFixture.uvPath!))
        let first = try await cache.acquire(UVFixture.requirements("cm-alpha==1.0"))
        await first.release()
        let second = try await cache.acquire(UVFixture.requirements("cm-alpha==2.0"))
        #expect(
            await cache.environments().map(\.key) == [second.environment.key],
            "the idle one is evicted, the new one kept")
        await second.release()
    }
}
