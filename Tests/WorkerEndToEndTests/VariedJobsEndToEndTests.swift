import DevnetSupport
import Foundation
import Solana
import Testing
import Worker
import WorkerTesting

/// Twenty jobs of varied code, run by the real binary against a devnet: on-chain fields, published documents.
@Suite("End to end: varied jobs", .endToEnd, .timeLimit(.minutes(5)))
struct VariedJobsEndToEndTests {
    /// A job's code and what its result document must say.
    struct Case: Sendable {
        var code: String
        var stdout: String? = nil
        var stdoutPrefix: String? = nil
        var stderrContains: String? = nil
        var returncode: Int = 0
        var timedOut = false
        var stdoutTruncated = false
    }

    static let outputCap = 65_536
    /// `EXECUTION_TIMEOUT` of the test: long enough that a sandboxed `print` finishes on a CI machine whose two
    /// cores every end-to-end suite shares at once (2 s was not), and it ends the `time.sleep(60)` case.
    static let executionTimeout = 10

    static let cases: [Case] = [
        Case(code: "print('hello, world')", stdout: "hello, world\n"),
        Case(code: "print(sum(i * i for i in range(1000)))", stdout: "332833500\n"),
        Case(code: "import math\nprint(math.factorial(30))", stdout: "265252859812191058636308480000000\n"),
        Case(code: "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(20))", stdout: "6765\n"),
        Case(code: "print(1 / 0)", stdout: "", stderrContains: "ZeroDivisionError", returncode: 1),
        Case(code: "import sys\nprint('partial')\nsys.exit(3)", stdout: "partial\n", returncode: 3),
        Case(code: "raise SystemExit('bye')", stdout: "", stderrContains: "bye", returncode: 1),
        Case(code: "print(undefined_name)", stderrContains: "NameError", returncode: 1),
        Case(code: "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)", returncode: -15),
        Case(code: "print('héllo wörld ✓ 你好 🚀')", stdout: "héllo wörld ✓ 你好 🚀\n"),
        Case(code: "print('\"quoted\" \\\\ back\\tslash\\x01')", stdout: "\"quoted\" \\ back\tslash\u{01}\n"),
        Case(code: "import sys\nsys.stdout.write('no newline')", stdout: "no newline"),
        Case(code: "import sys\nprint('out')\nprint('err', file=sys.stderr)", stdout: "out\n", stderrContains: "err"),
        Case(code: "import json\nprint(json.dumps({'a': [1, 2, 3]}))", stdout: "{\"a\": [1, 2, 3]}\n"),
        Case(code: "for i in range(2000):\n    print(i)", stdoutPrefix: "0\n1\n2\n"),
        Case(code: "", stdout: ""),
        Case(code: "data = bytearray(20 * 1024 * 1024)\nprint(len(data))", stdout: "20971520\n"),
        Case(code: "print('x' * 200000)", stdoutPrefix: "xxxx", stdoutTruncated: true),
        Case(code: "import time\ntime.sleep(60)", stdout: "", returncode: -9, timedOut: true),
        Case(code: "print(sorted({3, 1, 2}))", stdout: "[1, 2, 3]\n"),
    ]

    @Test("20 jobs settle with correct on-chain fields and byte-identical documents on the gateway")
    func twentyVariedJobs() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let cost: UInt64 = 1_234_567
        let worker = try await stack.workerSetup(
            "varied",
            extra: [
                "EXECUTION_TIMEOUT": "\(Self.executionTimeout)", "COST_LAMPORTS": "\(cost)", "MAX_OUTPUT_BYTES": "\(Self.outputCap)",
                "MAX_CONCURRENT_JOBS": "4",
            ])
        var jobs: [(EndToEndStack.CreatedJob, Case)] = []
        for testCase in Self.cases {
            jobs.append((try await stack.createJob(code: testCase.code), testCase))
        }
        let process = try await stack.runOnce(worker)
        #expect(process.output.contains("once run finished: settled 20"))

        let onChain = try await stack.waitForStatus("Completed", of: jobs.map(\.0.address), timeout: .seconds(10))
        let journal = try stack.journal(worker)
        for (job, testCase) in jobs {
            let record = try #require(try await journal.record(for: job.address))
            #expect(record.state == .settled)
            let chain = try #require(onChain[job.address])
            let cid = try #require(record.resultCID)
            #expect(chain["result_cid"].string == cid)
            #expect(chain["cost"].int == Int(cost))
            #expect((chain["end_time"].int ?? 0) >= (chain["start_time"].int ?? .max))
            #expect((chain["end_time"].int ?? 0) > 0)

            let published = try await stack.gatewayBytes(cid)
            #expect(published == record.resultDocument, "job \(job.title): gateway bytes differ from the journal")
            let document = try PublishedDocument(published)
            #expect(Array(document.keys.prefix(4)) == ["stdout", "stderr", "returncode", "executed_at"])
            #expect(document.returncode == testCase.returncode, "code: \(testCase.code)")
            #expect(document.timedOut == testCase.timedOut, "code: \(testCase.code)")
            #expect(document.stdoutTruncated == testCase.stdoutTruncated, "code: \(testCase.code)")
            if let stdout = testCase.stdout { #expect(document.stdout == stdout, "code: \(testCase.code)") }
            if let prefix = testCase.stdoutPrefix { #expect(document.stdout.hasPrefix(prefix)) }
            if let fragment = testCase.stderrContains {
                #expect(document.stderr.contains(fragment), "code: \(testCase.code)")
            }
            if testCase.stdoutTruncated { #expect(document.stdout.utf8.count == Self.outputCap) }
            #expect(document.executedAt.hasSuffix("+00:00") && document.executedAt.count == 32)
            let transitions = try await journal.transitions(for: job.address)
            #expect(transitions.filter { $0.event == "executed" }.count == 1)
        }
    }
}
