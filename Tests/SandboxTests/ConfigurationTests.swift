import Foundation
import Testing

@testable import Sandbox

/// Set-up checks, settings, the bubblewrap policy and the pure helpers.
@Suite struct ConfigurationTests {
    @Test func refusesToRunWithoutBubblewrapAndSaysHowToFixIt() throws {
        let configuration = SandboxConfiguration(mode: .bubblewrap, bubblewrapPath: "/nonexistent/bwrap")
        #expect(throws: SandboxError.bubblewrapNotInstalled(searched: ["/nonexistent/bwrap"])) {
            try SandboxRunner(configuration: configuration)
        }
        let text = SandboxError.bubblewrapNotInstalled(searched: ["/nonexistent/bwrap"]).description
        #expect(text.contains("apt-get install bubblewrap"))
        #expect(text.contains("SANDBOX=none"))
    }

    @Test func runsWithoutBubblewrapWhenExplicitlyUnsandboxed() throws {
        let runner = try SandboxRunner(
            configuration: SandboxConfiguration(mode: .none, bubblewrapPath: "/nonexistent/bwrap"))
        #expect(!runner.isIsolated)
        #expect(runner.isolationDescription.hasPrefix("NO ISOLATION"))
    }

    @Test func describesTheIsolationInBubblewrapMode() throws {
        let runner = try SandboxRunner(configuration: SandboxConfiguration())
        #expect(runner.isIsolated)
        #expect(runner.isolationDescription.contains("no network"))
        #expect(runner.isolationDescription.contains("512 MiB memory"))
    }

    @Test func rejectsAMissingInterpreter() {
        #expect(throws: SandboxError.pythonNotFound(path: "/nonexistent/python3")) {
            try SandboxRunner(configuration: SandboxConfiguration(pythonPath: "/nonexistent/python3"))
        }
    }

    @Test func rejectsAnInterpreterOutsideTheSandbox() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let python = directory + "/python3"
        try FileManager.default.copyItem(atPath: "/usr/bin/true", toPath: python)
        #expect(throws: SandboxError.self) {
            try SandboxRunner(configuration: SandboxConfiguration(pythonPath: python))
        }
    }

    @Test func readsSettings() throws {
        let configuration = try SandboxConfiguration(settings: [
            "SANDBOX": "none", "EXECUTION_TIMEOUT": "5", "SANDBOX_MEMORY_MB": "256", "SANDBOX_MAX_PROCESSES": "32",
            "SANDBOX_OUTPUT_CAP_KB": "64", "SANDBOX_CGROUPS": "off", "SANDBOX_UID_BASE": "70000",
        ])
        #expect(configuration.mode == .none)
        #expect(configuration.limits.wallTime == .seconds(5))
        #expect(configuration.limits.memoryBytes == 256 << 20)
        #expect(configuration.limits.processes == 32)
        #expect(configuration.limits.stdoutCapBytes == 64 << 10)
        #expect(configuration.cgroups == .disabled)
        #expect(configuration.jobUserIDs == 70000..<70256)
        let defaults = try SandboxConfiguration(settings: [:])
        #expect(defaults == SandboxConfiguration())
        #expect(defaults.limits.wallTime == .seconds(60))
        #expect(defaults.limits.memoryBytes == 512 << 20)
        #expect(defaults.limits.processes == 64)
        #expect(defaults.limits.stdoutCapBytes == 1 << 20 && defaults.limits.stderrCapBytes == 1 << 20)
    }

    @Test(arguments: [
        ["SANDBOX": "docker"], ["EXECUTION_TIMEOUT": "soon"], ["EXECUTION_TIMEOUT": "0"], ["SANDBOX_CGROUPS": "maybe"],
    ])
    func rejectsBadSettings(settings: [String: String]) {
        #expect(throws: SandboxError.self) { try SandboxConfiguration(settings: settings) }
    }

    @Test func theBubblewrapPolicyBindsOnlyTheInterpreter() {
        let command = BubblewrapCommand(
            bubblewrapPath: "/usr/bin/bwrap", pythonPath: "/usr/bin/python3",
            rootEntries: [.symlink(path: "/bin", target: "usr/bin"), .directory(path: "/lib64")],
            extraReadOnlyPaths: [], tmpfsBytes: 1 << 20)
        let arguments = command.arguments
        let joined = arguments.joined(separator: " ")
        for required in [
            "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
            "--new-session", "--cap-drop ALL", "--clearenv", "--ro-bind /usr /usr", "--symlink usr/bin /bin",
            "--ro-bind /lib64 /lib64", "--size 1048576 --tmpfs /tmp", "--size 1048576 --tmpfs /job",
            "--file 3 /job/main.py", "--chdir /job", "-- /usr/bin/python3 -s main.py",
        ] {
            #expect(joined.contains(required), "missing \(required)")
        }
        let bound = zip(arguments, arguments.dropFirst()).filter { $0.0.hasSuffix("bind") }.map(\.1)
        #expect(bound == ["/usr", "/lib64"])
        #expect(!arguments.contains { $0.hasPrefix("/root") || $0.hasPrefix("/home") || $0.hasPrefix("/work") })
        #expect(!arguments.contains("--share-net"))
    }

    @Test func returncodesFollowPython() {
        let exited = { (code: Int32) in code << 8 }
        #expect(JobExecution.returncode(status: exited(0), timedOut: false, throughBubblewrap: true) == 0)
        #expect(JobExecution.returncode(status: exited(3), timedOut: false, throughBubblewrap: true) == 3)
        #expect(JobExecution.returncode(status: exited(137), timedOut: false, throughBubblewrap: true) == -9)
        #expect(JobExecution.returncode(status: exited(137), timedOut: false, throughBubblewrap: false) == 137)
        #expect(JobExecution.returncode(status: exited(255), timedOut: false, throughBubblewrap: true) == 255)
        #expect(JobExecution.returncode(status: 9, timedOut: false, throughBubblewrap: false) == -9)
        #expect(JobExecution.returncode(status: exited(0), timedOut: true, throughBubblewrap: true) == -9)
    }

    @Test func cappedOutputKeepsThePrefixAndCountsEverything() {
        var output = CappedOutput(cap: 5)
        for chunk in ["abc", "defg", "hij"] {
            Array(chunk.utf8).withUnsafeBytes { output.append($0) }
        }
        #expect(output.bytes == Array("abcde".utf8))
        #expect(output.totalBytes == 10)
    }

    @Test func findsCgroupsInAUnifiedHierarchy() throws {
        let root = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let own = root + "/system.slice/worker.service"
        try FileManager.default.createDirectory(atPath: own, withIntermediateDirectories: true)
        try "cpu memory pids\n".write(toFile: root + "/cgroup.controllers", atomically: true, encoding: .utf8)
        try "cpu memory pids\n".write(toFile: own + "/cgroup.controllers", atomically: true, encoding: .utf8)
        try "".write(toFile: own + "/cgroup.subtree_control", atomically: true, encoding: .utf8)
        // A real cgroupfs creates these files in every new directory; the fake parent gets them up front.
        try FileManager.default.createDirectory(atPath: own + "/cloudmesh-sandbox", withIntermediateDirectories: true)
        for file in ["cgroup.procs", "cgroup.subtree_control"] {
            try "".write(toFile: own + "/cloudmesh-sandbox/" + file, atomically: true, encoding: .utf8)
        }
        let (layout, problems) = CgroupLayout.detect(root: root, membership: "0::/system.slice/worker.service\n")
        let found = try #require(layout, "\(problems)")
        #expect(found.hierarchies.count == 1)
        #expect(found.limitsProcesses && found.limitsMemory && found.canKillAtomically)
        #expect(found.hierarchies[0].parent == own + "/cloudmesh-sandbox")
        let enabled = try String(contentsOfFile: own + "/cgroup.subtree_control", encoding: .utf8)
        #expect(enabled == "+pids +memory")
    }

    @Test func findsCgroupsInAHybridHierarchy() throws {
        let root = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["unified", "pids", "memory/jobs", "cpu,cpuacct"] {
            try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        try "".write(toFile: root + "/unified/cgroup.controllers", atomically: true, encoding: .utf8)
        for directory in ["pids", "memory", "cpu,cpuacct"] {
            try "".write(toFile: root + "/\(directory)/tasks", atomically: true, encoding: .utf8)
        }
        let membership = "8:pids:/\n4:memory:/jobs\n2:cpu,cpuacct:/\n0::/\n"
        let (layout, problems) = CgroupLayout.detect(root: root, membership: membership)
        let found = try #require(layout, "\(problems)")
        #expect(
            found.hierarchies.map(\.parent) == [
                root + "/pids/cloudmesh-sandbox", root + "/memory/jobs/cloudmesh-sandbox",
                root + "/cpu,cpuacct/cloudmesh-sandbox",
            ])
        #expect(found.hierarchies.allSatisfy { $0.joinFile == "tasks" })
        #expect(found.limitsProcesses && found.limitsMemory && !found.canKillAtomically)
        #expect(found.hierarchies.last?.measuresCPU == true)
    }

    @Test func reportsWhyCgroupsAreUnusable() {
        let (layout, problems) = CgroupLayout.detect(root: "/nonexistent", membership: "0::/\n")
        #expect(layout == nil)
        #expect(!problems.isEmpty)
    }
}
