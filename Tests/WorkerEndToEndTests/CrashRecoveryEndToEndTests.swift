import DevnetSupport
import Foundation
import Solana
import Testing
import Worker
import WorkerTesting

/// SIGKILL at each stage (test-only `CLOUDMESH_TEST_CRASH_AT`), then a restart without it: every job settles
/// once, and no job with a recorded result runs again.
@Suite("End to end: crash recovery", .endToEnd, .timeLimit(.minutes(5)))
struct CrashRecoveryEndToEndTests {
    @Test(
        "SIGKILL, then restart: every job settles once, recorded results are never run again",
        arguments: TestCrashInjection.Point.allCases)
    func killAndRestart(at point: TestCrashInjection.Point) async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let slow = point == .duringExecution ? "import time\ntime.sleep(3)\n" : ""
        var jobs: [EndToEndStack.CreatedJob] = []
        for index in 0..<3 { jobs.append(try await stack.createJob(code: "\(slow)print('crash test \(index)')")) }
        let setup = try await stack.workerSetup("crash-\(point.rawValue)", extra: ["MAX_CONCURRENT_JOBS": "1"])

        let crashing = try stack.start(
            setup, arguments: ["--once"], extra: [TestCrashInjection.variable: point.rawValue])
        let exit = try await crashing.waitForExit()
        #expect(exit == .init(signaled: true, status: SIGKILL), "\(exit): \(crashing.tail())")
        #expect(crashing.log.contains("TEST CRASH INJECTION: SIGKILL at \(point.rawValue)"))

        // What the journal held when the process died.
        let before = try stack.journal(setup)
        var recorded: [PublicKey: JobRecord] = [:]
        for job in jobs {
            if let record = try await before.record(for: job.address) { recorded[job.address] = record }
        }
        try before.close()
        // With MAX_CONCURRENT_JOBS 1 a second job may already run while the first one settles: the crashed job is
        // the one in the state the crash point implies.
        let states = recorded.values.map(\.state)
        switch point {
        case .afterFetch:
            // Code is fetched ahead of execution: the job is journaled, not yet started.
            #expect(states.contains(.discovered), "the job was journaled before its code was fetched")
        case .duringExecution:
            #expect(states.contains(.running))
        case .afterExecution, .afterPublish:
            #expect(states.contains(.executed))
        case .beforeSend, .afterSend:
            #expect(states.contains(.submitted))
        }

        let restarted = try await stack.runOnce(setup)
        #expect(restarted.log.contains("resuming from the journal"))
        let onChain = try await stack.waitForStatus("Completed", of: jobs.map(\.address), timeout: .seconds(10))

        let journal = try stack.journal(setup)
        for job in jobs {
            let record = try #require(try await journal.record(for: job.address))
            #expect(record.state == .settled, "job \(job.title)")
            #expect(onChain[job.address]?["result_cid"].string == record.resultCID)
            let transitions = try await journal.transitions(for: job.address)
            #expect(transitions.filter { $0.event == "executed" }.count == 1, "job \(job.title) executed again")
            let transactions = try await stack.landedTransactionCount(of: job.address)
            #expect(transactions.succeeded == 2, "one initialize_job and one complete_job")
            #expect(transactions.failed == 0)
            guard let before = recorded[job.address], let document = before.resultDocument else { continue }
            #expect(record.resultDocument == document, "the recorded result was replaced")
            #expect(try await stack.gatewayBytes(record.resultCID ?? "") == document)
            if let submitted = before.submission {
                #expect(record.submission?.signature == submitted.signature, "a second complete_job was signed")
            }
        }
    }
}
