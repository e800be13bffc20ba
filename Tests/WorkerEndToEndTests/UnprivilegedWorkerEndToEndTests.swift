import DevnetSupport
import Foundation
import Solana
import Testing
import WorkerTesting

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The worker run by an unprivileged user (issue #12, item 5), as far as a machine where everything runs as
/// root allows: the real binary is started as uid and gid 65534 (`nobody`) through util-linux's `setpriv`,
/// with no capabilities, on a host where that user can create no cgroup, so every job runs as the worker's
/// user under rlimits only. The worker is first moved into scratch cgroup v1 directories that the test
/// makes (owned by root, so the worker cannot make its `cloudmesh-sandbox` there, as on a host where the
/// user has no delegated subtree); the scratch `pids` cgroup counts exactly the worker's process tree and
/// holds a safety limit so that a runaway fork bomb cannot exhaust the host's pids, and at the end every
/// process left in it is killed and the directories are removed.
///
/// Without a cgroup to bound each job's processes, a non-root worker refuses to start (status 2, naming why
/// and the two fixes) unless `SANDBOX_CGROUPS=off` says so explicitly; then its jobs are bounded by the
/// worker user's `RLIMIT_NPROC` as a whole, which the operator sets (`LimitNPROC=`, `ulimit -u`).
///
/// The delegated cgroup v2 path (systemd `Delegate=yes`) cannot be reached on this project's hybrid hosts;
/// `SandboxTests`' `ConfigurationTests` cover it through fake hierarchies only.
@Suite(
    "End to end: the worker as an unprivileged user", .endToEnd, .serialized, .timeLimit(.minutes(3)),
    .enabled(if: UnprivilegedHost.problem == nil, Comment(rawValue: UnprivilegedHost.problem ?? "")))
struct UnprivilegedWorkerEndToEndTests {
    /// `SANDBOX_MAX_PROCESSES` of the tests.
    static let maxProcesses = 32
    /// `EXECUTION_TIMEOUT` of the tests: ends the fork bomb.
    static let executionTimeout = 5
    /// The `RLIMIT_NPROC` the worker is started with, as an operator sets it (`ulimit -u`, systemd
    /// `LimitNPROC=`): every process and thread of uid 65534 counts against it, the worker's and all jobs'.
    static let workerProcessLimit = 256
    /// `pids.max` of the scratch cgroup: far above ``workerProcessLimit``, it only protects the host when no
    /// rlimit holds a fork bomb.
    static let safetyNet = 1024
    /// Forks for ever. After a refusal each process waits 20 ms before it tries again: the bomb still takes
    /// every process it may have, but leaves the CPU to the end-to-end tests running beside this one.
    static let forkBomb = """
        import os, time
        while True:
            try:
                os.fork()
            except OSError:
                time.sleep(0.02)
        """

    /// The worker starts as uid 65534 without capabilities, warns that no cgroup bounds processes or memory
    /// and why, runs an ordinary job, ends a fork bomb at its timeout with the uid's `RLIMIT_NPROC` holding
    /// it (never the scratch cgroup's safety net), runs a job after it, exits 0 on SIGTERM and leaves no
    /// process behind.
    @Test(
        "As uid 65534 without cgroups: refuses unless SANDBOX_CGROUPS=off; then runs jobs on rlimits, survives a fork bomb"
    )
    func unprivilegedWorkerWithoutCgroups() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let setup = try await unprivilegedSetup(stack, name: "unprivileged")
        let scratch = try ScratchCgroups(name: "cloudmesh-e2e-unprivileged-\(UUID().uuidString.prefix(8))")
        defer { scratch.killEverythingAndRemove() }

        let prefix =
            scratch.joiningPrefix + UnprivilegedHost.limitingProcesses(to: Self.workerProcessLimit)
            + UnprivilegedHost.dropToNobody
        // No cgroup can bound a job's processes, and nobody said that is fine: the worker refuses to start.
        let refused = try stack.start(setup, commandPrefix: prefix)
        #expect(try await refused.waitForExit(timeout: .seconds(60)) == .init(signaled: false, status: 2))
        let reason = refused.log
        #expect(reason.contains("a worker not running as root bounds each job's processes with a cgroup"), "\(reason)")
        #expect(reason.contains("Delegate=yes") && reason.contains("SANDBOX_CGROUPS=off"))
        for directory in scratch.directories {
            #expect(
                reason.contains("cannot create \(directory)/cloudmesh-sandbox: Permission denied"),
                "the refusal should name \(directory): \(reason)")
        }

        let worker = try stack.start(setup, extra: ["SANDBOX_CGROUPS": "off"], commandPrefix: prefix)
        try await waitForStart(worker)

        // It runs as uid and gid 65534, without supplementary groups or capabilities.
        let status = try String(contentsOfFile: "/proc/\(worker.processIdentifier)/status", encoding: .utf8)
        #expect(Self.field("Uid", of: status) == "65534 65534 65534 65534", "\(status)")
        #expect(Self.field("Gid", of: status) == "65534 65534 65534 65534")
        #expect(Self.field("Groups", of: status) == "")
        #expect(Self.field("CapEff", of: status) == "0000000000000000")

        // It says, at warning level, what no cgroup enforces and why: it cannot create its cgroups.
        let log = worker.log
        let warning = try #require(
            log.split(separator: "\n").first { $0.contains(" warning cgroup limits are not fully available: ") },
            "no warning about cgroups in the log:\n\(worker.tail())")
        #expect(warning.contains("the process count is bounded only by the worker user's RLIMIT_NPROC"))
        #expect(warning.contains("memory is bounded per process (RLIMIT_AS), not for the job as a whole"))
        #expect(warning.contains("leftover processes are killed through the pid namespace"))
        #expect(warning.contains("cgroups are disabled by configuration"))
        let isolation = try #require(log.split(separator: "\n").first { $0.contains(" info sandbox isolation=") })
        #expect(isolation.contains("runs as the worker's user"))
        #expect(isolation.contains("\(Self.maxProcesses) processes"))
        #expect(isolation.contains("no cgroups: "))
        #expect(log.contains("sandbox probe probe=") && log.contains("worker files invisible"))

        // An ordinary job runs and settles.
        let hello = try await stack.createJob(code: "print('hello from an unprivileged worker')", title: "hello")
        try await poll("the ordinary job to settle", worker: worker) { try await stack.isCompleted(hello) }
        let helloDocument = try await stack.resultDocument(of: hello)
        #expect(helloDocument.returncode == 0, "\(helloDocument.stderr)")
        #expect(helloDocument.stdout == "hello from an unprivileged worker\n")
        #expect(!helloDocument.timedOut)

        // The fork bomb: what bounds it is the uid's RLIMIT_NPROC, shared by the worker and every job.
        let idle = try scratch.processCount()
        let bomb = try await stack.createJob(code: Self.forkBomb, title: "fork-bomb")
        var observed = 0
        try await poll("the fork bomb to settle", timeout: .seconds(60), worker: worker) {
            observed = max(observed, (try? scratch.processCount()) ?? 0)
            return try await stack.isCompleted(bomb)
        }
        let bombDocument = try await stack.resultDocument(of: bomb)
        #expect(bombDocument.timedOut, "\(bombDocument.stdout) \(bombDocument.stderr)")
        #expect(bombDocument.returncode == -Int(SIGKILL))
        let peak = scratch.peakProcessCount() ?? observed
        #expect(observed >= idle + Self.maxProcesses / 2, "the fork bomb never ran: at most \(observed) processes seen")
        #expect(
            peak <= Self.workerProcessLimit,
            "uid 65534 had \(peak) processes and threads, over its RLIMIT_NPROC of \(Self.workerProcessLimit)")
        #expect(scratch.safetyNetRefusals() == 0, "the scratch cgroup's pids.max, not RLIMIT_NPROC, stopped forks")
        // The worker survived its uid's process limit being reached: a job created now settles.
        let after = try await stack.createJob(code: "print(6 * 7)", title: "after-the-bomb")
        try await poll("the job after the bomb to settle", worker: worker) { try await stack.isCompleted(after) }
        let afterDocument = try await stack.resultDocument(of: after)
        #expect(afterDocument.returncode == 0, "\(afterDocument.stderr)")
        #expect(afterDocument.stdout == "42\n")

        try await stack.stopGracefully(worker)
        try await poll("the worker's processes to be gone", timeout: .seconds(10)) {
            try scratch.processCount() == 0
        }
    }

    /// A cgroup where a worker running as root once made its `cloudmesh-sandbox` (the test process's own
    /// cgroup on this project's machines, after any other end-to-end test): the directory exists but this
    /// user cannot create cgroups in it, and the refusal says so instead of failing on the first job.
    @Test("As uid 65534 in a cgroup where a root worker left its cloudmesh-sandbox: a refusal that names it")
    func unprivilegedWorkerBesideARootWorkersCgroup() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let setup = try await unprivilegedSetup(stack, name: "after-root")
        let scratch = try ScratchCgroups(name: "cloudmesh-e2e-after-root-\(UUID().uuidString.prefix(8))")
        defer { scratch.killEverythingAndRemove() }
        // What a worker running as root in this cgroup leaves behind: its parent of job cgroups, owned by root.
        for directory in scratch.directories {
            guard mkdir(directory + "/cloudmesh-sandbox", 0o755) == 0 else {
                throw EndToEndFailure("cannot create \(directory)/cloudmesh-sandbox: errno \(errno)")
            }
        }

        let worker = try stack.start(setup, commandPrefix: scratch.joiningPrefix + UnprivilegedHost.dropToNobody)
        #expect(try await worker.waitForExit(timeout: .seconds(60)) == .init(signaled: false, status: 2))
        for directory in scratch.directories {
            #expect(
                worker.log.contains("cannot create cgroups in \(directory)/cloudmesh-sandbox: Permission denied"),
                "\(worker.tail())")
        }
        #expect(worker.log.contains("made by another user, e.g. a worker that ran as root"))
        #expect(!worker.log.contains("the job's cgroup could not be created"), "refused before any job")
    }

    // MARK: - Helpers

    /// A worker set-up whose directory (state directory, keypair) belongs to uid 65534.
    private func unprivilegedSetup(_ stack: EndToEndStack, name: String) async throws -> EndToEndStack.WorkerSetup {
        let setup = try await stack.workerSetup(
            name,
            extra: [
                "MAX_CONCURRENT_JOBS": "1", "EXECUTION_TIMEOUT": "\(Self.executionTimeout)",
                "SANDBOX_MAX_PROCESSES": "\(Self.maxProcesses)", "SHUTDOWN_GRACE": "5", "LOG_FORMAT": "text",
            ])
        // uid 65534 must reach its directory through the devnet's scratch directories.
        for url in [stack.devnet.directory, stack.directory] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        for path in [setup.directory.path, try #require(setup.environment["WORKER_KEYPAIR_PATH"])] {
            guard chown(path, UnprivilegedHost.uid, UnprivilegedHost.uid) == 0 else {
                throw EndToEndFailure("chown \(path): errno \(errno)")
            }
        }
        return setup
    }

    /// Waits for the worker's "worker starting" line; throws with its log when it exits first.
    private func waitForStart(_ worker: WorkerProcess) async throws {
        try await poll("the worker to start", timeout: .seconds(30), worker: worker) {
            worker.log.contains("worker starting")
        }
    }

    /// Polls `condition` every 100 ms; throws when `timeout` passes first or when `worker` exits meanwhile.
    private func poll(
        _ what: String, timeout: Duration = .seconds(30), worker: WorkerProcess? = nil,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            if let worker, !worker.isRunning {
                throw EndToEndFailure("the worker exited while waiting for \(what); log tail:\n\(worker.tail())")
            }
            guard ContinuousClock.now < deadline else {
                throw EndToEndFailure(
                    "\(what) did not happen within \(timeout)" + (worker.map { "; log tail:\n\($0.tail())" } ?? ""))
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A `/proc/<pid>/status` field, its whitespace-separated values joined by single spaces.
    private static func field(_ name: String, of status: String) -> String? {
        status.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map {
            $0.dropFirst(name.count + 1).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
    }
}

/// What the host must offer to start the worker as uid 65534 without cgroups.
private enum UnprivilegedHost {
    /// The unprivileged user and group (`nobody`, `nogroup`).
    static let uid: UInt32 = 65534
    /// util-linux's `setpriv`, which changes user and group and then executes the worker in place.
    static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// util-linux's `prlimit`, which sets rlimits and then executes the rest in place.
    static let prlimit = ["/usr/bin/prlimit", "/bin/prlimit"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The command prefix that makes the rest run as uid and gid 65534 with no supplementary group.
    static var dropToNobody: [String] {
        [setpriv ?? "setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--"]
    }

    /// The command prefix that sets `RLIMIT_NPROC` (soft and hard) of the rest to `limit`.
    static func limitingProcesses(to limit: Int) -> [String] {
        [prlimit ?? "prlimit", "--nproc=\(limit)", "--"]
    }

    /// Why the scenario cannot be set up on this host, or nil when it can.
    static let problem: String? = {
        if geteuid() != 0 {
            return "needs root, to start the worker as uid 65534 and move it into scratch cgroups"
        }
        if setpriv == nil || prlimit == nil {
            return "needs util-linux's setpriv and prlimit, to start the worker as uid 65534 with an RLIMIT_NPROC"
        }
        if let text = try? String(contentsOfFile: "/proc/sys/kernel/unprivileged_userns_clone", encoding: .utf8),
            text.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
        {
            return "unprivileged user namespaces are off (kernel.unprivileged_userns_clone=0): bubblewrap cannot "
                + "run for a non-root worker"
        }
        if let text = try? String(contentsOfFile: "/proc/sys/user/max_user_namespaces", encoding: .utf8),
            text.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
        {
            return "user namespaces are off (user.max_user_namespaces=0): bubblewrap cannot run for a non-root worker"
        }
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") {
            return "a unified cgroup v2 host: the test places the worker in scratch cgroup v1 directories"
        }
        if ScratchCgroups.mount(of: "pids") == nil {
            return "no cgroup v1 pids hierarchy under /sys/fs/cgroup, to count and bound the worker's processes"
        }
        return nil
    }()
}

/// Cgroup v1 directories made by the test (as root) beside its own cgroup in the `pids`, `memory` and
/// `cpuacct` hierarchies, the three the worker's sandbox looks at. The worker joins them before dropping
/// privileges; owned by root, they are cgroups it cannot create children in.
private struct ScratchCgroups {
    /// The directories, the `pids` one first.
    let directories: [String]

    /// Makes the directories; the `pids` one gets a `pids.max` of ``UnprivilegedWorkerEndToEndTests/safetyNet``.
    init(name: String) throws {
        let membership = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)
        var directories: [String] = []
        for controller in ["pids", "memory", "cpuacct"] {
            guard let mount = Self.mount(of: controller) else {
                if controller == "pids" { throw EndToEndFailure("no cgroup v1 pids hierarchy") }
                continue
            }
            var own = "/"
            for line in membership.split(separator: "\n") {
                let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                if fields.count == 3 && fields[1].split(separator: ",").contains(Substring(controller)) {
                    own = String(fields[2])
                }
            }
            let directory = "/" + [mount, own, name].flatMap { $0.split(separator: "/") }.joined(separator: "/")
            guard !directories.contains(directory) else { continue }
            guard mkdir(directory, 0o755) == 0 else {
                let failure = errno
                for made in directories { rmdir(made) }
                throw EndToEndFailure("cannot create the scratch cgroup \(directory): errno \(failure)")
            }
            directories.append(directory)
        }
        self.directories = directories
        try "\(UnprivilegedWorkerEndToEndTests.safetyNet)".write(
            toFile: directories[0] + "/pids.max", atomically: false, encoding: .utf8)
    }

    /// The mount directory of a v1 controller: `/sys/fs/cgroup/<controller>` or a co-mount such as `cpu,cpuacct`.
    static func mount(of controller: String) -> String? {
        let root = "/sys/fs/cgroup"
        if FileManager.default.fileExists(atPath: "\(root)/\(controller)/tasks") { return "\(root)/\(controller)" }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return entries.first {
            $0.split(separator: ",").contains(Substring(controller))
                && FileManager.default.fileExists(atPath: "\(root)/\($0)/tasks")
        }.map { "\(root)/\($0)" }
    }

    /// A command prefix that moves the shell running it into every directory, then executes the rest in place.
    var joiningPrefix: [String] {
        let joins = directories.map { "echo $$ > '\($0)/cgroup.procs' || exit 97" }.joined(separator: "; ")
        return ["/bin/sh", "-c", joins + "; exec \"$@\"", "cloudmesh-join-cgroups"]
    }

    /// Processes and threads in the `pids` directory now (the worker's whole tree).
    func processCount() throws -> Int {
        let text = try String(contentsOfFile: directories[0] + "/pids.current", encoding: .utf8)
        guard let count = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw EndToEndFailure("pids.current reads \(text)")
        }
        return count
    }

    /// The most processes and threads the `pids` directory ever held (`pids.peak`), when the kernel has it.
    func peakProcessCount() -> Int? {
        (try? String(contentsOfFile: directories[0] + "/pids.peak", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// How many forks the safety net (`pids.max`) refused.
    func safetyNetRefusals() -> Int? {
        guard let events = try? String(contentsOfFile: directories[0] + "/pids.events", encoding: .utf8) else {
            return nil
        }
        return events.split(separator: "\n").first { $0.hasPrefix("max ") }.flatMap { Int($0.dropFirst(4)) }
    }

    /// Kills whatever is left in the directories (only processes the test started are there), waits for them
    /// to be gone, and removes the directories with any cgroup made below them.
    func killEverythingAndRemove() {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let remaining = directories.filter { !Self.remove($0) }
            if remaining.isEmpty { return }
            usleep(20_000)
        }
        print("scratch cgroups not removed within 20 s: \(directories)")
    }

    /// Removes the cgroup `directory` and the cgroups below it, killing the processes in each; false while
    /// one is still in use.
    private static func remove(_ directory: String) -> Bool {
        guard FileManager.default.fileExists(atPath: directory) else { return true }
        var children: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            var isDirectory: ObjCBool = false
            let path = directory + "/" + entry
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                children.append(path)
            }
        }
        guard children.allSatisfy(remove) else { return false }
        let procs = (try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8)) ?? ""
        for pid in procs.split(separator: "\n").compactMap({ pid_t($0) }) { kill(pid, SIGKILL) }
        return rmdir(directory) == 0 || errno == ENOENT
    }
}

extension EndToEndStack {
    /// Whether `job` reads Completed at `confirmed` (false while it is too recent to be confirmed).
    fileprivate func isCompleted(_ job: CreatedJob) async throws -> Bool {
        do {
            return try await self.job(job.address)["status"].string == "Completed"
        } catch let failure as Devnet.Failure where failure.description.contains("no Job account") {
            return false
        }
    }

    /// The result document recorded on chain for `job`, fetched from the gateway.
    fileprivate func resultDocument(of job: CreatedJob) async throws -> PublishedDocument {
        guard let cid = try await self.job(job.address)["result_cid"].string, !cid.isEmpty else {
            throw EndToEndFailure("\(job.title) has no result CID on chain")
        }
        return try PublishedDocument(try await gatewayBytes(cid))
    }
}
