import Foundation
import Testing

@testable import Sandbox

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile jobs are contained and the worker (this test process) stays healthy.
@Suite struct AdversarialTests {
    /// Fake secrets in a host directory, in the worker's working directory's place.
    private struct FakeSecrets {
        let directory: String
        let keypairToken = TestSupport.token()
        let envToken = TestSupport.token()

        init() throws {
            directory = try TestSupport.temporaryDirectory()
            try "[\(keypairToken),1,2,3]".write(
                toFile: directory + "/worker-keypair.json", atomically: true, encoding: .utf8)
            try "PINATA_JWT=\(envToken)\n".write(toFile: directory + "/.env", atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }

        /// A job that tries every way to the secrets and prints what it read.
        var thief: String {
            let parent = (directory as NSString).deletingLastPathComponent
            let name = (directory as NSString).lastPathComponent
            let cwd = FileManager.default.currentDirectoryPath
            return """
                import os
                paths = ["\(directory)/worker-keypair.json", "\(directory)/.env",
                         "\(parent)/\(name)/.env", "worker-keypair.json", ".env", "../.env",
                         "\(cwd)/Package.swift", "/proc/\(getpid())/environ", "/proc/1/environ",
                         "/proc/%d/environ" % os.getppid(), "/root/.bash_history"]
                for path in paths:
                    try:
                        with open(path, "rb") as f:
                            print("READ", path, f.read()[:4096])
                    except OSError as error:
                        print("DENIED", path, type(error).__name__)
                print("ENV", dict(os.environ))
                """
        }
    }

    @Test func cannotReadTheWorkersSecretsByPathOrThroughProc() async throws {
        let secrets = try FakeSecrets()
        defer { secrets.remove() }
        let environmentToken = TestSupport.token()
        setenv("CLOUDMESH_TEST_SECRET", environmentToken, 1)
        defer { unsetenv("CLOUDMESH_TEST_SECRET") }

        let outcome = try await TestSupport.run(secrets.thief)
        #expect(outcome.returncode == 0, "\(outcome.stderr)")
        for token in [secrets.keypairToken, secrets.envToken, environmentToken] {
            #expect(!outcome.stdout.contains(token))
            #expect(!outcome.stderr.contains(token))
        }
        #expect(!outcome.stdout.contains("PINATA"))
        #expect(!outcome.stdout.contains("READ \(secrets.directory)"))
        #expect(!outcome.stdout.contains("Package.swift b'"))
        // /proc/1 is bubblewrap's init, whose environment is only the fixed launcher PATH.
        #expect(outcome.stdout.contains("READ /proc/1/environ b'PATH=/usr/bin:/bin\\x00'"))
    }

    @Test func theThiefWorksWhereNothingIsolatesIt() async throws {
        // The same job without bubblewrap does read a world-readable secret: the test above is not vacuous.
        let secrets = try FakeSecrets()
        defer { secrets.remove() }
        let outcome = try await TestSupport.run(secrets.thief, .none)
        #expect(outcome.stdout.contains(secrets.keypairToken))
    }

    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func seesOnlyTheFixedEnvironment(mode: SandboxMode) async throws {
        let token = TestSupport.token()
        setenv("CLOUDMESH_TEST_ENVIRONMENT", token, 1)
        defer { unsetenv("CLOUDMESH_TEST_ENVIRONMENT") }
        let outcome = try await TestSupport.run("import os\nfor k in sorted(os.environ): print(k)\n", mode)
        let names = Set(outcome.stdout.split(separator: "\n").map(String.init))
        let allowed: Set<String> = [
            "PATH", "HOME", "TMPDIR", "LANG", "USER", "LOGNAME", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PWD",
            "LC_CTYPE",
        ]
        #expect(names.isSubset(of: allowed), "\(names.subtracting(allowed))")
        #expect(!outcome.stdout.contains(token))
    }

    @Test func cannotReachLoopbackServicesOrThePublicNetwork() async throws {
        let listener = try HostListener()
        let source = """
            import socket
            for host, port in [("127.0.0.1", \(listener.port)), ("1.1.1.1", 53), ("8.8.8.8", 443)]:
                try:
                    socket.create_connection((host, port), timeout=2).close()
                    print("CONNECTED", host)
                except OSError as error:
                    print("BLOCKED", host, type(error).__name__)
            try:
                print("RESOLVED", socket.getaddrinfo("pypi.org", 443))
            except OSError as error:
                print("NO DNS", type(error).__name__)
            print(sorted(name for _, name in socket.if_nameindex()))
            """
        let outcome = try await TestSupport.run(source)
        #expect(!outcome.stdout.contains("CONNECTED"))
        #expect(!outcome.stdout.contains("RESOLVED"))
        #expect(outcome.stdout.contains("BLOCKED 127.0.0.1"))
        #expect(outcome.stdout.contains("['lo']\n"))
        #expect(!listener.receivedConnection)
    }

    @Test func aForkBombIsBoundedByTheProcessLimit() async throws {
        let source = """
            import os, time
            children = 0
            while True:
                try:
                    pid = os.fork()
                except OSError as error:
                    print("fork refused after", children, type(error).__name__)
                    break
                if pid == 0:
                    time.sleep(60)
                    os._exit(0)
                children += 1
            """
        let outcome = try await TestSupport.run(source, timeout: .seconds(20)) { $0.processes = 16 }
        #expect(outcome.returncode == 0, "\(outcome.stderr)")
        #expect(!outcome.timedOut)
        #expect(outcome.stdout.hasPrefix("fork refused after "))
        let count = Int(outcome.stdout.split(separator: " ").dropFirst(3).first ?? "") ?? 99
        #expect(count < 16)
        #expect(outcome.wallTime < .seconds(10))
    }

    @Test func anEndlessForkBombEndsAtTheTimeout() async throws {
        let source = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
        let outcome = try await TestSupport.run(source, timeout: .seconds(2)) { $0.processes = 16 }
        #expect(outcome.timedOut)
        #expect(outcome.returncode == -9)
        #expect(outcome.wallTime < .seconds(6))
    }

    @Test func aMemoryBombGetsMemoryError() async throws {
        let source = "blocks = []\nwhile True:\n    blocks.append(b'x' * (8 << 20))\n"
        let outcome = try await TestSupport.run(source) { $0.memoryBytes = 128 << 20 }
        #expect(outcome.returncode == 1)
        #expect(outcome.stderr.contains("MemoryError"))
        if let peak = outcome.peakMemoryBytes { #expect(peak <= 130 << 20) }
    }

    @Test func aMemoryBombSpreadOverProcessesIsBoundedForTheWholeJob() async throws {
        let source = """
            import os
            kids = []
            for i in range(4):
                pid = os.fork()
                if pid == 0:
                    data = b'x' * (80 << 20)
                    import time; time.sleep(1)
                    os._exit(0)
                kids.append(pid)
            print([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in kids])
            """
        let runner = try TestSupport.runner { $0.memoryBytes = 128 << 20 }
        let outcome = try await runner.run(code: Array(source.utf8))
        #expect(outcome.wallTime < .seconds(8))
        let layout = CgroupLayout.detect().layout
        if layout?.limitsMemory == true {
            #expect(outcome.memoryLimitHit == true, "\(outcome.stdout) \(outcome.stderr)")
            #expect((outcome.peakMemoryBytes ?? 0) <= 130 << 20)
        }
    }

    @Test func endlessOutputIsCappedDrainedAndCounted() async throws {
        let source = """
            import sys
            chunk = "y" * 65536
            while True:
                sys.stdout.write(chunk)
                sys.stderr.write(chunk)
            """
        let outcome = try await TestSupport.run(source, timeout: .seconds(2))
        #expect(outcome.timedOut)
        #expect(outcome.stdoutBytes.count == 1 << 20)
        #expect(outcome.stderrBytes.count == 1 << 20)
        #expect(outcome.stdoutTruncated && outcome.stderrTruncated)
        #expect(outcome.stdoutTotalBytes > 2 << 20)
        #expect(outcome.stderrTotalBytes > 2 << 20)
    }

    @Test func largeFiniteOutputIsCountedExactly() async throws {
        let source = "import sys\nsys.stdout.write('z' * (3 << 20))\nsys.stderr.write('e' * 1000)\n"
        let outcome = try await TestSupport.run(source) { $0.stdoutCapBytes = 1000 }
        #expect(outcome.returncode == 0)
        #expect(outcome.stdoutBytes == Array(repeating: UInt8(ascii: "z"), count: 1000))
        #expect(outcome.stdoutTotalBytes == 3 << 20)
        #expect(outcome.stdoutTruncated)
        #expect(!outcome.stderrTruncated && outcome.stderrTotalBytes == 1000)
    }

    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func sleepingPastTheTimeoutIsKilled(mode: SandboxMode) async throws {
        let source = "import time\nprint('started')\ntime.sleep(30)\nprint('never')\n"
        let outcome = try await TestSupport.run(source, mode, timeout: .seconds(1))
        #expect(outcome.timedOut)
        #expect(outcome.returncode == -9)
        #expect(outcome.stdout == "started\n")
        #expect(outcome.wallTime >= .seconds(1) && outcome.wallTime < .seconds(4))
    }

    /// A grandchild that double-forks, calls setsid and execs `sleep <marker>`, so the host can look for it.
    /// The job goes on only once the grandchild has exec'd (the close-on-exec pipe reaches end of file).
    private static func daemonizer(marker: String, mainSleeps: Double) -> String {
        """
        import os, time
        r, w = os.pipe()
        if os.fork() == 0:
            os.close(r)
            os.setsid()
            if os.fork() == 0:
                os.execv("/usr/bin/sleep", ["sleep", "\(marker)"])
            os._exit(0)
        os.close(w)
        os.read(r, 1)
        print("daemon started")
        time.sleep(\(mainSleeps))
        """
    }

    @Test(arguments: [
        (SandboxMode.bubblewrap, SandboxConfiguration.CgroupPolicy.automatic),
        (.bubblewrap, .disabled), (.none, .automatic), (.none, .disabled),
    ])
    func aDaemonizedGrandchildDiesWithTheJob(mode: SandboxMode, cgroups: SandboxConfiguration.CgroupPolicy)
        async throws
    {
        for mainSleeps in [1.0, 30] {
            let marker = "1000.\(UInt32.random(in: 100_000...999_999))"
            let runner = try TestSupport.runner(mode, timeout: .seconds(3), cgroups: cgroups)
            async let sawDaemon = TestSupport.eventually(within: .seconds(3)) {
                !TestSupport.processes(containing: marker).isEmpty
            }
            let outcome = try await runner.run(
                code: Array(Self.daemonizer(marker: marker, mainSleeps: mainSleeps).utf8))
            #expect(await sawDaemon, "the daemon never ran, so the test would prove nothing")
            #expect(outcome.stdout == "daemon started\n")
            #expect(outcome.timedOut == (mainSleeps > 3))
            let gone = await TestSupport.eventually(within: .seconds(2)) {
                TestSupport.processes(containing: marker).isEmpty
            }
            #expect(gone, "the daemon outlived the job (\(mode), cgroups \(cgroups))")
        }
    }

    @Test func fillingTheDiskFailsInsideTheJobOnly() async throws {
        let source = """
            import os
            for path in ["big.bin", "/tmp/big.bin"]:
                written = 0
                try:
                    with open(path, "wb") as f:
                        while True:
                            f.write(b"d" * (1 << 20)); f.flush(); written += 1
                except OSError as error:
                    print(path, written, os.strerror(error.errno))
                os.remove(path)
            """
        let outcome = try await TestSupport.run(source) { $0.tmpfsBytes = 8 << 20 }
        #expect(outcome.returncode == 0, "\(outcome.stderr)")
        #expect(
            outcome.stdout.contains("big.bin 8 No space left on device") || outcome.stdout.contains("No space left"))
        #expect(outcome.stdout.split(separator: "\n").count == 2)
    }

    @Test func filesAreLimitedInSize() async throws {
        let source = """
            try:
                open("big.bin", "wb").write(b"f" * (3 << 20))
            except OSError as error:
                print("refused", error.strerror)
            """
        let outcome = try await TestSupport.run(source) { $0.fileSizeBytes = 2 << 20 }
        #expect(outcome.stdout == "refused File too large\n", "\(outcome.stderr)")
    }

    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func signallingTheParentOrEveryoneHarmsOnlyTheJob(mode: SandboxMode) async throws {
        let source = """
            import os, signal
            for target in [os.getppid(), -1, 1]:
                try:
                    os.kill(target, signal.SIGKILL)
                    print("sent", target == -1)
                except OSError as error:
                    print("refused", type(error).__name__)
            print("alive")
            """
        let outcome = try await TestSupport.run(source, mode)
        #expect(outcome.stdout.hasSuffix("alive\n"), "\(outcome.stdout) \(outcome.stderr)")
        #expect(outcome.returncode == 0)
        // The worker survived (this test is still running) and still runs jobs.
        let next = try await TestSupport.run("print('next')\n", mode)
        #expect(next.stdout == "next\n")
    }

    @Test func closingStdoutAndStderrEarlyStillWaitsForTheJob() async throws {
        let source = """
            import os, sys, time
            os.close(1)
            sys.stderr.write("stderr still open\\n")
            os.close(2)
            time.sleep(0.3)
            open("done", "w").write("x")
            os._exit(7)
            """
        let outcome = try await TestSupport.run(source)
        #expect(outcome.returncode == 7)
        #expect(outcome.stderr == "stderr still open\n")
        #expect(outcome.wallTime >= .milliseconds(300))
    }

    @Test func nonUTF8OutputIsKeptWithReplacementCharacters() async throws {
        let outcome = try await TestSupport.run("import sys\nsys.stdout.buffer.write(b'ok \\xff\\xfe end\\n')\n")
        #expect(outcome.stdoutBytes == Array("ok ".utf8) + [0xFF, 0xFE] + Array(" end\n".utf8))
        #expect(outcome.stdout == "ok \u{FFFD}\u{FFFD} end\n")
    }

    @Test func aSyntaxErrorIsReportedLikePython() async throws {
        let outcome = try await TestSupport.run("def broken(:\n    pass\n")
        #expect(outcome.returncode == 1)
        #expect(outcome.stderr.contains("SyntaxError"))
        #expect(outcome.stderr.contains("main.py"))
    }

    @Test func codeThatIsNotUTF8IsRejectedByPython() async throws {
        let code: [UInt8] = Array("print(\"".utf8) + [0xFF, 0xC3] + Array("\")\n".utf8)
        let outcome = try await TestSupport.runner().run(code: code)
        #expect(outcome.returncode == 1)
        #expect(outcome.stderr.contains("SyntaxError: Non-UTF-8 code"))
    }

    @Test func readingStdinGetsEndOfFile() async throws {
        let outcome = try await TestSupport.run(
            "import sys\nprint(repr(sys.stdin.read()), repr(sys.stdin.buffer.read(10)))\n")
        #expect(outcome.stdout == "'' b''\n")
    }

    @Test func cannotWriteOutsideItsTmpfsOrRegainPrivileges() async throws {
        let source = """
            import os
            for path in ["/usr/evil", "/evil", "/proc/sys/kernel/hostname", "/dev/evil"]:
                try:
                    open(path, "w").write("x"); print("WROTE", path)
                except OSError as error:
                    print("denied", path)
            for call in [lambda: os.setuid(0), lambda: os.chroot("/tmp")]:
                try:
                    call(); print("ALLOWED")
                except OSError as error:
                    print("refused")
            """
        let outcome = try await TestSupport.run(source)
        #expect(!outcome.stdout.contains("WROTE"), "\(outcome.stdout)")
        #expect(outcome.stdout.filter { $0 == "\n" }.count == 6)
        #expect(!outcome.stdout.contains("ALLOWED"))
    }
}
