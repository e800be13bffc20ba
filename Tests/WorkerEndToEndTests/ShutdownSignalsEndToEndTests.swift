import DevnetSupport
import Foundation
import Testing
import Worker
import WorkerTesting

/// The worker's service group and the shutdown signals: the first SIGINT lets the running job finish within
/// SHUTDOWN_GRACE, a second one stops the worker at once with status 130, and the next start finishes the job.
@Suite("End to end: shutdown signals", .endToEnd, .timeLimit(.minutes(3)))
struct ShutdownSignalsEndToEndTests {
    @Test("A second SIGINT stops at once with status 130; the next start settles the interrupted job")
    func secondSignalStopsAtOnce() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let job = try await stack.createJob(code: "import time\ntime.sleep(3)\nprint('slept')")
        let setup = try await stack.workerSetup("second-signal", extra: ["SHUTDOWN_GRACE": "120"])
        let worker = try stack.start(setup)
        try await stack.waitForJournal(setup, worker: worker) { journal in
            try await journal.record(for: job.address)?.state == .running
        }
        worker.send(SIGINT)
        try await stack.waitUntil("the graceful shutdown to begin", worker: worker) {
            worker.log.contains("shutting down: no new jobs")
        }
        let sent = ContinuousClock.now
        worker.send(SIGINT)
        let exit = try await worker.waitForExit(timeout: .seconds(30))
        #expect(exit == .init(signaled: false, status: 130), "\(exit): \(worker.tail())")
        #expect(ContinuousClock.now - sent < .seconds(15), "the second signal did not stop the worker at once")
        #expect(worker.log.contains("second signal: stopping now"))

        let restarted = try await stack.runOnce(setup)
        #expect(restarted.log.contains("resuming from the journal"))
        let onChain = try await stack.waitForStatus("Completed", of: [job.address], timeout: .seconds(10))
        let journal = try stack.journal(setup)
        let record = try #require(try await journal.record(for: job.address))
        #expect(record.state == .settled)
        #expect(onChain[job.address]?["result_cid"].string == record.resultCID)
    }
}
