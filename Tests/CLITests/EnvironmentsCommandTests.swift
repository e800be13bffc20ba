import DevnetSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `environments`: listing the cached environments of jobs' dependencies (safe beside a running worker), and
/// `--prune`, which refuses while a worker holds the state directory's lock.
@Suite(.endToEnd) struct EnvironmentsCommandTests {
    /// One environment record as the worker's `EnvironmentCache` writes it (`environment.json` and a `last-used`
    /// file whose modification time is the last use), with a `site` directory.
    struct FakeEnvironment {
        var key: String
        var packages: [String]
        var sizeBytes: UInt64
        /// Seconds before now of the last use.
        var lastUsedAgo: TimeInterval
    }

    static let environments = [
        FakeEnvironment(
            key: String(repeating: "a", count: 64), packages: ["cm-alpha==1.0"], sizeBytes: 3 << 20, lastUsedAgo: 300),
        FakeEnvironment(
            key: String(repeating: "b", count: 64),
            packages: ["cm-alpha==1.0", "cm-beta==1.0", "cm-c==1", "cm-d==1", "cm-e==1"], sizeBytes: 5 << 20,
            lastUsedAgo: 100),
        FakeEnvironment(
            key: String(repeating: "c", count: 64), packages: ["cm-alpha==2.0"], sizeBytes: 1 << 20, lastUsedAgo: 10),
    ]

    /// The CLI with `environments` (and a build in progress) written under its STATE_DIR.
    static func cliWithEnvironments(_ environments: [FakeEnvironment] = environments) throws -> (CLI, URL) {
        let cli = try CLI()
        let root = URL(fileURLWithPath: try #require(cli.environment["STATE_DIR"])).appendingPathComponent(
            "environments")
        for environment in environments {
            let directory = root.appendingPathComponent(environment.key)
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("site"), withIntermediateDirectories: true)
            let record: [String: Any] = [
                "key": environment.key, "packages": environment.packages, "sizeBytes": environment.sizeBytes,
                "interpreter": [
                    "path": "/usr/bin/python3", "version": "3.11.2", "platform": "linux-x86_64",
                    "implementation": "cpython-311", "libc": "glibc 2.36",
                ],
                "createdAt": Date().addingTimeInterval(-1000).timeIntervalSinceReferenceDate,
            ]
            try JSONSerialization.data(withJSONObject: record).write(
                to: directory.appendingPathComponent("environment.json"))
            let lastUsed = directory.appendingPathComponent("last-used")
            try Data().write(to: lastUsed)
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-environment.lastUsedAgo)], ofItemAtPath: lastUsed.path)
        }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(".tmp-build-test/env"), withIntermediateDirectories: true)
        return (cli, root)
    }

    /// Takes `STATE_DIR/worker.lock` as a running worker does (`flock`, exclusive); closing the descriptor gives
    /// it back.
    static func holdWorkerLock(_ cli: CLI) throws -> Int32 {
        let path = try #require(cli.environment["STATE_DIR"]) + "/worker.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        try #require(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        return descriptor
    }

    static func names(_ root: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
    }

    static func json(_ output: CLIOutput) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    static func keys(_ value: Any?) -> [String] {
        ((value as? [[String: Any]]) ?? []).compactMap { $0["key"] as? String }
    }

    @Test func listsLeastRecentlyUsedFirstWithoutTouchingTheCacheEvenWhileAWorkerRuns() async throws {
        let (cli, root) = try Self.cliWithEnvironments()
        defer { cli.cleanUp() }
        let lock = try Self.holdWorkerLock(cli)
        defer { close(lock) }

        let listed = try await cli.run(["environments"])
        #expect(listed.status == 0, "\(listed)")
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 5, "\(listed)")
        #expect(lines[0].hasPrefix("KEY ") && lines[0].contains("LAST USED") && lines[0].hasSuffix("PACKAGES"))
        #expect(lines[1].hasPrefix("aaaaaaaaaaaa  3.0 MiB") && lines[1].hasSuffix("cm-alpha==1.0"), "\(lines[1])")
        #expect(lines[2].hasPrefix("bbbbbbbbbbbb  5.0 MiB"), "\(lines[2])")
        #expect(lines[2].hasSuffix("cm-alpha==1.0, cm-beta==1.0, cm-c==1, cm-d==1, +1 more"), "\(lines[2])")
        #expect(lines[3].hasPrefix("cccccccccccc  1.0 MiB"), "\(lines[3])")
        #expect(lines[4].hasPrefix("3 environments, 9.0 MiB in \(root.path) (ENVIRONMENT_CACHE_MB 4096"), "\(lines[4])")
        #expect(listed.stderr.contains("1 build(s) in progress"), "\(listed)")

        let json = try await cli.run(["environments", "--json"], extraEnvironment: ["ENVIRONMENT_CACHE_MB": "8"])
        #expect(json.status == 0, "\(json)")
        let object = try Self.json(json)
        #expect(object["directory"] as? String == root.path)
        #expect(object["budget_bytes"] as? Int == 8 << 20)
        #expect(object["total_bytes"] as? Int == 9 << 20)
        #expect(object["builds_in_progress"] as? Int == 1)
        #expect(Self.keys(object["environments"]) == Self.environments.map(\.key))
        let first = try #require((object["environments"] as? [[String: Any]])?.first)
        #expect(first["packages"] as? [String] == ["cm-alpha==1.0"])
        #expect(first["size_bytes"] as? Int == 3 << 20)
        #expect(first["python"] as? String == "3.11.2")
        #expect((first["last_used"] as? String)?.hasSuffix("Z") == true)
        #expect((first["created_at"] as? String)?.hasSuffix("Z") == true)

        // Listing removed nothing: the staging directory of a build in progress is still there.
        #expect(Self.names(root) == [".tmp-build-test"] + Self.environments.map(\.key))
    }

    @Test func pruneRefusesWhileAWorkerHoldsTheStateDirectory() async throws {
        let (cli, root) = try Self.cliWithEnvironments()
        defer { cli.cleanUp() }
        let before = Self.names(root)
        let lock = try Self.holdWorkerLock(cli)
        let refused = try await cli.run(["environments", "--prune", "--keep-mb", "0"])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("error: a worker is running with STATE_DIR="), "\(refused)")
        #expect(refused.stderr.contains("nothing was removed: stop the worker"), "\(refused)")
        #expect(Self.names(root) == before)

        close(lock)
        let pruned = try await cli.run(["environments", "--prune", "--keep-mb", "0"])
        #expect(pruned.status == 0, "\(pruned)")
        #expect(Self.names(root).isEmpty)
    }

    /// The real worker's lock: `run` (unsandboxed, against an RPC port nobody listens on, so it keeps retrying
    /// without touching any network) holds STATE_DIR while it runs; `--prune` refuses until it has stopped.
    @Test func pruneRefusesBesideARunningWorker() async throws {
        let (cli, root) = try Self.cliWithEnvironments()
        defer { cli.cleanUp() }
        let log = cli.directory.appendingPathComponent("worker.log")
        try #require(FileManager.default.createFile(atPath: log.path, contents: nil))
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: CLI.binary)
        worker.arguments = ["run"]
        worker.currentDirectoryURL = cli.directory
        worker.environment = cli.environment.merging([
            "SANDBOX": "none", "PINATA_JWT": "unused", "SOLANA_RPC_URL": "http://127.0.0.1:9",
            "SOLANA_WS_URL": "ws://127.0.0.1:9", "UV_PATH": "/bin/true",
        ]) { $1 }
        let output = try FileHandle(forWritingTo: log)
        worker.standardOutput = output
        worker.standardError = output
        worker.standardInput = FileHandle.nullDevice
        try worker.run()
        defer {
            if worker.isRunning { worker.terminate() }
            worker.waitUntilExit()
        }
        let deadline = ContinuousClock.now + .seconds(30)
        func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        while !logText().contains("worker ready"), worker.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(logText().contains("worker ready"), "the worker did not start:\n\(logText())")
        // The worker opened the cache, which removed the leftover build directory: what is left is the three.
        let before = Self.names(root)
        #expect(before == Self.environments.map(\.key))

        let refused = try await cli.run(["environments", "--prune", "--keep-mb", "0"])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("a worker is running"), "\(refused)")
        #expect(Self.names(root) == before)
        let listed = try await cli.run(["environments", "--json"])
        #expect(Self.keys(try Self.json(listed)["environments"]) == before)

        worker.terminate()
        worker.waitUntilExit()
        let pruned = try await cli.run(["environments", "--prune", "--keep-mb", "0"])
        #expect(pruned.status == 0, "\(pruned)")
        #expect(Self.names(root).isEmpty)
    }

    @Test func pruneEvictsTheLeastRecentlyUsedDownToTheBudget() async throws {
        let (cli, root) = try Self.cliWithEnvironments()
        defer { cli.cleanUp() }
        let keys = Self.environments.map(\.key)

        let first = try await cli.run(["environments", "--prune", "--keep-mb", "6"])
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("removed:\n  KEY "), "\(first)")
        #expect(first.stdout.contains("\n  aaaaaaaaaaaa  3.0 MiB"), "\(first)")
        #expect(first.stdout.contains("removed 1 environment (3.0 MiB); 2 environments (6.0 MiB) kept within 6 MiB"))
        #expect(first.stdout.contains("removed 1 leftover(s) of interrupted builds: .tmp-build-test"), "\(first)")
        #expect(Self.names(root) == Array(keys[1...]))

        // ENVIRONMENT_CACHE_MB is the budget without --keep-mb.
        let second = try await cli.run(
            ["environments", "--prune", "--json"], extraEnvironment: ["ENVIRONMENT_CACHE_MB": "1"])
        #expect(second.status == 0, "\(second)")
        let object = try Self.json(second)
        #expect(Self.keys(object["removed"]) == [keys[1]])
        #expect(Self.keys(object["kept"]) == [keys[2]])
        #expect(object["removed_bytes"] as? Int == 5 << 20)
        #expect(object["kept_bytes"] as? Int == 1 << 20)
        #expect(object["budget_bytes"] as? Int == 1 << 20)
        #expect(object["leftovers_removed"] as? [String] == [])
        #expect(Self.names(root) == [keys[2]])

        let third = try await cli.run(["environments", "--prune"], extraEnvironment: ["ENVIRONMENT_CACHE_MB": "1"])
        #expect(third.status == 0, "\(third)")
        #expect(third.stdout == "nothing to remove: 1 environment (1.0 MiB) kept within 1 MiB\n", "\(third)")
    }

    @Test func nothingCachedIsNotAnError() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let listed = try await cli.run(["environments"])
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout.isEmpty)
        #expect(listed.stderr.contains("no environments in "), "\(listed)")
        let pruned = try await cli.run(["environments", "--prune"])
        #expect(pruned.status == 0, "\(pruned)")
        #expect(pruned.stdout.hasPrefix("nothing to remove: 0 environments"), "\(pruned)")
        let state = try #require(cli.environment["STATE_DIR"])
        #expect(!FileManager.default.fileExists(atPath: state), "neither command creates STATE_DIR")
    }

    @Test func keepMBOnlyWithPrune() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let refused = try await cli.run(["environments", "--keep-mb", "10"])
        #expect(refused.status == 2, "\(refused)")
        #expect(refused.stderr.contains("--keep-mb applies only with --prune"), "\(refused)")
        let negative = try await cli.run(["environments", "--prune", "--keep-mb", "-1"])
        #expect(negative.status == 2, "\(negative)")
    }

    @Test func helpDocumentsPruningAndExitStatuses() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let help = try await cli.run(["environments", "--help"])
        #expect(help.status == 0, "\(help)")
        for expected in ["--prune", "--keep-mb", "--json", "ENVIRONMENT_CACHE_MB", "worker.lock", "Exit status: 0"] {
            #expect(help.stdout.contains(expected), "missing \(expected)")
        }
    }
}
