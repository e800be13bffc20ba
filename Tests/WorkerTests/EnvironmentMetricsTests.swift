import Dependencies
import Foundation
import Logging
import Testing
import WorkerTesting

@testable import Worker

/// The environment cache's figures on `/metrics`: hits, misses, resolutions, builds and their seconds,
/// evictions, and the environments on disk; first the recording alone, then with a real cache, uv and the
/// local `file://` index of `Tests/DependenciesTests/Fixtures/make_index.py`.
@Suite struct EnvironmentMetricsTests {
    static func exposition(_ registry: PrometheusRegistryBox) -> String {
        registry.registry.emitToString()
    }

    @Test func readingsRecordWhatGrewOnceInAnyOrder() {
        let (metrics, registry) = WorkerMetrics.prometheus()
        let box = PrometheusRegistryBox(registry: registry)
        let recorder = EnvironmentCacheMetrics(metrics: metrics)
        // The first reading creates every series (and says the environments on disk should be counted).
        #expect(recorder.record(.init(evictions: 2)))
        var text = Self.exposition(box)
        for expected in [
            #"cloudmesh_environment_acquisitions_total{result="hit"} 0"#,
            #"cloudmesh_environment_acquisitions_total{result="miss"} 0"#,
            "cloudmesh_environment_resolutions_total 0", "cloudmesh_environment_evictions_total 2",
        ] {
            #expect(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        #expect(!text.contains("cloudmesh_environment_build_seconds_count"))

        // Two concurrent jobs' readings arrive newest first: the older one adds nothing.
        let older = EnvironmentCache.Statistics(
            hits: 1, misses: 1, resolutions: 1, builds: 1, buildTime: .seconds(3), evictions: 2)
        let newer = EnvironmentCache.Statistics(
            hits: 3, misses: 2, resolutions: 2, builds: 2, buildTime: .seconds(4), evictions: 3)
        #expect(recorder.record(newer))
        #expect(!recorder.record(older), "nothing grew: the environments need no recount")
        // Only hits since: no build, no eviction, so no recount.
        #expect(
            !recorder.record(.init(hits: 5, misses: 2, resolutions: 2, builds: 2, buildTime: .seconds(4), evictions: 3))
        )
        text = Self.exposition(box)
        for expected in [
            #"cloudmesh_environment_acquisitions_total{result="hit"} 5"#,
            #"cloudmesh_environment_acquisitions_total{result="miss"} 2"#,
            "cloudmesh_environment_resolutions_total 2", "cloudmesh_environment_evictions_total 3",
            // Two builds ended between readings: each observed with their mean, 2 s.
            "cloudmesh_environment_build_seconds_count 2", "cloudmesh_environment_build_seconds_sum 4.0",
            #"cloudmesh_environment_build_seconds_bucket{le="1.0"} 0"#,
            #"cloudmesh_environment_build_seconds_bucket{le="2.5"} 2"#,
        ] {
            #expect(text.contains(expected), "missing \(expected) in\n\(text)")
        }
    }

    @Test func theEnvironmentsOnDiskAreGauges() {
        let (metrics, registry) = WorkerMetrics.prometheus()
        metrics.environmentCache(count: 3, bytes: 9 << 20)
        let text = registry.emitToString()
        #expect(text.contains("cloudmesh_environments 3"), "\(text)")
        #expect(text.contains("cloudmesh_environment_cache_bytes 9437184"), "\(text)")
    }
}

/// The same figures from the worker's preparer over a real cache: uv installs from a local index.
@Suite(.enabled(if: LocalIndex.uvPath != nil, LocalIndex.skipReason), .timeLimit(.minutes(2)))
struct EnvironmentMetricsWithUVTests {
    static let declaring = Array("# /// script\n# dependencies = [\"cm-alpha<2\"]\n# ///\nprint(1)\n".utf8)
    static let declaringOther = Array("# /// script\n# dependencies = [\"cm-alpha>=2\"]\n# ///\nprint(2)\n".utf8)

    func preparer(budgetBytes: UInt64) async throws -> (UVDependencyPreparer, PrometheusRegistryBox, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "environment-metrics-\(UUID().uuidString)")
        let interpreter = try await PythonInterpreter.probe("/usr/bin/python3")
        let resolver = UVResolver(
            uvPath: try #require(LocalIndex.uvPath), interpreter: interpreter, indexURL: LocalIndex.url,
            httpTimeoutSeconds: 30)
        let cache = try EnvironmentCache(
            configuration: .init(
                root: directory.appendingPathComponent("environments"), maximumEnvironmentBytes: 64 << 20,
                budgetBytes: budgetBytes, timeout: .seconds(60)),
            resolver: resolver)
        let (metrics, registry) = WorkerMetrics.prometheus()
        let preparer = UVDependencyPreparer(cache: cache, interpreter: interpreter, metrics: metrics)
        await preparer.recordCacheMetrics()
        return (preparer, PrometheusRegistryBox(registry: registry), directory)
    }

    func expect(_ registry: PrometheusRegistryBox, _ lines: [String], sourceLocation: SourceLocation = #_sourceLocation)
    {
        let text = registry.registry.emitToString()
        for line in lines {
            #expect(text.contains(line), "missing \(line) in\n\(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func aMissBuildsAHitReusesAndAPlainJobRecordsNothing() async throws {
        let (preparer, registry, directory) = try await preparer(budgetBytes: 1 << 30)
        defer { try? FileManager.default.removeItem(at: directory) }
        expect(
            registry,
            [
                #"cloudmesh_environment_acquisitions_total{result="miss"} 0"#, "cloudmesh_environments 0",
                "cloudmesh_environment_cache_bytes 0",
            ])

        let built = try #require(try await preparer.prepare(code: Self.declaring))
        await built.release()
        expect(
            registry,
            [
                #"cloudmesh_environment_acquisitions_total{result="hit"} 0"#,
                #"cloudmesh_environment_acquisitions_total{result="miss"} 1"#,
                "cloudmesh_environment_resolutions_total 1", "cloudmesh_environment_build_seconds_count 1",
                "cloudmesh_environment_evictions_total 0", "cloudmesh_environments 1",
            ])
        #expect(!registry.registry.emitToString().contains("cloudmesh_environment_cache_bytes 0"))

        let reused = try #require(try await preparer.prepare(code: Self.declaring))
        await reused.release()
        let before = registry.registry.emitToString()
        #expect(try await preparer.prepare(code: Array("print('plain')\n".utf8)) == nil)
        #expect(registry.registry.emitToString() == before, "a job without dependencies records nothing")
        expect(
            registry,
            [
                #"cloudmesh_environment_acquisitions_total{result="hit"} 1"#,
                #"cloudmesh_environment_acquisitions_total{result="miss"} 1"#,
                "cloudmesh_environment_resolutions_total 1", "cloudmesh_environment_build_seconds_count 1",
            ])
    }

    @Test func evictionsAndFailedAcquisitionsAreCounted() async throws {
        // A budget of one byte: each build evicts every environment not in use.
        let (preparer, registry, directory) = try await preparer(budgetBytes: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try #require(try await preparer.prepare(code: Self.declaring))
        await first.release()
        let second = try #require(try await preparer.prepare(code: Self.declaringOther))
        await second.release()
        expect(
            registry,
            [
                #"cloudmesh_environment_acquisitions_total{result="miss"} 2"#,
                "cloudmesh_environment_build_seconds_count 2", "cloudmesh_environment_evictions_total 1",
                "cloudmesh_environments 1",
            ])

        let unknown = Array("# /// script\n# dependencies = [\"cm-nosuch\"]\n# ///\n".utf8)
        await #expect(throws: StageError.self) { try await preparer.prepare(code: unknown) }
        expect(registry, ["cloudmesh_environment_resolutions_total 3"])
    }

    @Test func theWorkersSetupRecordsFromTheStart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "environment-metrics-setup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (metrics, registry) = WorkerMetrics.prometheus()
        let settings = DependencySettings(
            uvPath: LocalIndex.uvPath, indexURL: try #require(URL(string: LocalIndex.url)), allowlist: nil,
            timeoutSeconds: 60, maxEnvironmentMB: 64, cacheMB: 64)
        let preparer = try await DependencySetup.start(
            settings, stateDirectory: directory.path, pythonPath: "/usr/bin/python3",
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), metrics: metrics)
        let box = PrometheusRegistryBox(registry: registry)
        expect(box, [#"cloudmesh_environment_acquisitions_total{result="hit"} 0"#, "cloudmesh_environments 0"])
        let prepared = try #require(try await preparer.prepare(code: EnvironmentMetricsWithUVTests.declaring))
        await prepared.release()
        expect(box, [#"cloudmesh_environment_acquisitions_total{result="miss"} 1"#, "cloudmesh_environments 1"])
        #expect(
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("environments").path),
            "the cache lives under STATE_DIR/environments")
    }
}

/// uv (`CLOUDMESH_UV_PATH`, else this checkout's `.venv/bin/uv`) and the Dependencies tests' fixture index,
/// written once per test process under the temporary directory.
enum LocalIndex {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let uvPath: String? = {
        let given = ProcessInfo.processInfo.environment["CLOUDMESH_UV_PATH"].flatMap { $0.isEmpty ? nil : $0 }
        let path = given ?? repositoryRoot.appendingPathComponent(".venv/bin/uv").path
        return FileManager.default.isExecutableFile(atPath: path)
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? path : nil
    }()

    static let skipReason: Comment =
        "uv not found: set CLOUDMESH_UV_PATH or run scripts/setup.sh (installs .venv/bin/uv); needs /usr/bin/python3"

    /// The `file://` URL of the index's `simple` directory.
    static let url: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cloudmesh-metrics-index-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            repositoryRoot.appendingPathComponent("Tests/DependenciesTests/Fixtures/make_index.py").path,
            directory.path,
        ]
        try? process.run()
        process.waitUntilExit()
        return "file://" + directory.appendingPathComponent("simple").path
    }()
}
