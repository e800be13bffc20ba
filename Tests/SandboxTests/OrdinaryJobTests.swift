import Testing

@testable import Sandbox

/// Ordinary jobs run unchanged, in both modes.
@Suite struct OrdinaryJobTests {
    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func printsToStdoutAndStderr(mode: SandboxMode) async throws {
        let outcome = try await TestSupport.run("import sys\nprint('hello')\nprint('oops', file=sys.stderr)\n", mode)
        #expect(outcome.returncode == 0)
        #expect(outcome.stdout == "hello\n")
        #expect(outcome.stderr == "oops\n")
        #expect(!outcome.timedOut && !outcome.stdoutTruncated && !outcome.stderrTruncated)
        #expect(outcome.stdoutTotalBytes == 6 && outcome.stderrTotalBytes == 5)
        #expect(outcome.wallTime < .seconds(5))
    }

    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func importsTheStandardLibrary(mode: SandboxMode) async throws {
        let source = """
            import json, math, hashlib, datetime, itertools, collections, re, random, decimal, statistics, sqlite3
            print(json.dumps({"pi": round(math.pi, 4)}))
            print(hashlib.sha256(b"cloudmesh").hexdigest()[:16])
            print(datetime.date(2025, 10, 28).isoformat())
            print(list(itertools.permutations("ab")))
            print(collections.Counter("aab").most_common(1), statistics.mean([1, 2, 3]))
            db = sqlite3.connect(":memory:"); print(db.execute("select 6*7").fetchone()[0])
            """
        let outcome = try await TestSupport.run(source, mode)
        #expect(outcome.returncode == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.first == "{\"pi\": 3.1416}")
        #expect(lines.dropFirst().first.map { $0.count == 16 && $0.allSatisfy(\.isHexDigit) } == true)
        #expect(lines.dropFirst(2) == ["2025-10-28", "[('a', 'b'), ('b', 'a')]", "[('a', 2)] 2", "42"])
    }

    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func writesAndReadsFilesInItsWorkingDirectory(mode: SandboxMode) async throws {
        let source = """
            import os, tempfile
            with open("data.txt", "w") as f: f.write("stored")
            print(open("data.txt").read(), sorted(os.listdir(".")))
            with tempfile.NamedTemporaryFile("w+", delete=False) as t: t.write("tmp")
            print(open(t.name).read())
            """
        let outcome = try await TestSupport.run(source, mode)
        #expect(outcome.returncode == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "stored ['data.txt', 'main.py']\ntmp\n")
    }

    @Test func importsAModuleItWroteNextToItself() async throws {
        let source = """
            open("helper.py", "w").write("VALUE = 41\\n")
            import helper
            print(helper.VALUE + 1)
            """
        let outcome = try await TestSupport.run(source)
        #expect(outcome.stdout == "42\n", "\(outcome.stderr)")
    }

    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func reportsExitCodes(mode: SandboxMode) async throws {
        let three = try await TestSupport.run("import sys\nsys.exit(3)\n", mode)
        #expect(three.returncode == 3)
        let high = try await TestSupport.run("import os\nos._exit(255)\n", mode)
        #expect(high.returncode == 255)
    }

    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func reportsExceptionsWithTracebacks(mode: SandboxMode) async throws {
        let outcome = try await TestSupport.run("x = 1\nprint(x / 0)\n", mode)
        #expect(outcome.returncode == 1)
        #expect(outcome.stderr.contains("Traceback (most recent call last):"))
        #expect(outcome.stderr.contains("main.py\", line 2, in <module>"))
        #expect(outcome.stderr.contains("ZeroDivisionError: division by zero"))
    }

    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func reportsDeathBySignalAsPythonDoes(mode: SandboxMode) async throws {
        let killed = try await TestSupport.run("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", mode)
        #expect(killed.returncode == -9)
        #expect(!killed.timedOut)
        let terminated = try await TestSupport.run("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n", mode)
        #expect(terminated.returncode == -15)
        let aborted = try await TestSupport.run("import os\nos.abort()\n", mode)
        #expect(aborted.returncode == -6)
    }

    @Test func runsJobsConcurrently() async throws {
        let runner = try TestSupport.runner()
        try await withThrowingTaskGroup(of: ExecutionOutcome.self) { group in
            for index in 0..<4 {
                group.addTask {
                    try await runner.run(code: Array("import time\ntime.sleep(0.2)\nprint(\(index))\n".utf8))
                }
            }
            var seen: Set<String> = []
            for try await outcome in group {
                #expect(outcome.returncode == 0)
                seen.insert(outcome.stdout)
            }
            #expect(seen == ["0\n", "1\n", "2\n", "3\n"])
        }
    }

    @Test func measuresCPUTimeAndMemory() async throws {
        let outcome = try await TestSupport.run("x = sum(i * i for i in range(3_000_000))\nb = b'x' * (40 << 20)\n")
        #expect(outcome.returncode == 0)
        let cpu = try #require(outcome.cpuTime)
        #expect(cpu > .milliseconds(50))
        if let peak = outcome.peakMemoryBytes { #expect(peak > 40 << 20) }
    }
}

/// Cancelling the waiting task kills the job.
@Suite struct CancellationTests {
    @Test(arguments: [SandboxMode.bubblewrap, .none])
    func cancellingTheTaskKillsTheJob(mode: SandboxMode) async throws {
        let marker = "2000.\(UInt32.random(in: 100_000...999_999))"
        let runner = try TestSupport.runner(mode, timeout: .seconds(30))
        let job = Task {
            try await runner.run(code: Array("import os\nos.execv('/usr/bin/sleep', ['sleep', '\(marker)'])\n".utf8))
        }
        #expect(await TestSupport.eventually { !TestSupport.processes(containing: marker).isEmpty })
        let start = ContinuousClock.now
        job.cancel()
        await #expect(throws: CancellationError.self) { try await job.value }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(TestSupport.processes(containing: marker).isEmpty)
    }
}
