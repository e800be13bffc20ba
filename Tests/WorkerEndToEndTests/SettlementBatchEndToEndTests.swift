import DevnetSupport
import Foundation
import Solana
import Testing
import Worker
import WorkerTesting

/// Several jobs per complete_job transaction against the devnet (issue #13, part 4): a batch refused because
/// another worker completed one of its jobs is split and the rest settle; a SIGKILL around a batch's send,
/// then a restart, settles every job of the batch once.
@Suite("End to end: settlement batches", .endToEnd, .timeLimit(.minutes(5)))
struct SettlementBatchEndToEndTests {
    @Test("a batch with a job completed elsewhere is refused whole, split, and the rest settle")
    func splitWhenOneJobWasCompletedElsewhere() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        var jobs: [EndToEndStack.CreatedJob] = []
        for index in 0..<4 { jobs.append(try await stack.createJob(code: "print('batch \(index)')")) }
        // The batch reads its jobs just before signing, so a job completed elsewhere while it waits is left out.
        // To be refused whole, the completion must come after that read: the node answers the batch's first
        // sendTransaction calls with 503 (retried after 1 s each), and the job is completed meanwhile.
        let setup = try await stack.workerSetup(
            "split",
            extra: ["MAX_CONCURRENT_JOBS": "4", "SETTLE_BATCH_SIZE": "5", "SETTLE_BATCH_WINDOW_MS": "6000"])
        try await stack.devnet.control(
            "/faults/rpc", ["status": 503, "count": 5, "retry_after": 1, "methods": ["sendTransaction"]])
        let worker = try stack.start(setup)
        try await stack.waitUntil("the four jobs' transaction signed and journaled", worker: worker) {
            worker.log.contains("complete_job signed and journaled") && worker.log.contains("jobs=4")
        }
        let victim = jobs[2]
        let theirs = try await stack.devnet.control("/jobs/complete", ["job": victim.address.base58])
        #expect(theirs["err"] == .null, "\(theirs)")

        let onChain = try await stack.waitForStatus("Completed", of: jobs.map(\.address), worker: worker)
        try await stack.waitForJournal(setup, worker: worker) { journal in
            try await journal.record(for: victim.address)?.state == .lostRace
        }
        try await stack.stopGracefully(worker)
        #expect(worker.log.contains("complete_job batch failed on another job's instruction"), "\(worker.tail())")

        let journal = try stack.journal(setup)
        let lost = try #require(try await journal.record(for: victim.address))
        #expect(lost.outcomeReason?.contains("6003") == true, "\(lost.outcomeReason ?? "")")
        #expect(onChain[victim.address]?["result_cid"].string == theirs["result_cid"].string)
        var signatures: Set<Signature> = []
        for job in jobs where job != victim {
            let record = try #require(try await journal.record(for: job.address))
            #expect(record.state == .settled, "job \(job.title)")
            #expect(onChain[job.address]?["result_cid"].string == record.resultCID)
            if let signature = record.submission?.signature { signatures.insert(signature) }
            let events = try await journal.transitions(for: job.address).map(\.event)
            #expect(events.filter { $0 == "submitted" }.count == 2, "refused once, then sent again: \(events)")
            #expect(try await stack.landedTransactionCount(of: job.address).succeeded == 2)
        }
        #expect(signatures.count == 1, "the three remaining jobs settled in one transaction")
        let signature = try #require(signatures.first)
        #expect(Set(try await journal.jobs(coveredBy: signature)) == Set(jobs.filter { $0 != victim }.map(\.address)))
    }

    @Test(
        "SIGKILL around a batch's send, then restart: every job of the batch settles once",
        arguments: [TestCrashInjection.Point.beforeSend, .afterSend])
    func killAroundABatch(at point: TestCrashInjection.Point) async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        var jobs: [EndToEndStack.CreatedJob] = []
        for index in 0..<3 { jobs.append(try await stack.createJob(code: "print('crash batch \(index)')")) }
        // A batch of exactly three leaves as soon as it is full.
        let setup = try await stack.workerSetup(
            "batch-\(point.rawValue)",
            extra: ["MAX_CONCURRENT_JOBS": "3", "SETTLE_BATCH_SIZE": "3", "SETTLE_BATCH_WINDOW_MS": "30000"])
        let crashing = try stack.start(
            setup, arguments: ["--once"], extra: [TestCrashInjection.variable: point.rawValue])
        let exit = try await crashing.waitForExit()
        #expect(exit == .init(signaled: true, status: SIGKILL), "\(exit): \(crashing.tail())")

        let before = try stack.journal(setup)
        var submitted: Set<Signature> = []
        for job in jobs {
            let record = try #require(try await before.record(for: job.address))
            #expect(record.state == .submitted, "job \(job.title)")
            if let signature = record.submission?.signature { submitted.insert(signature) }
        }
        #expect(submitted.count == 1, "one transaction for the three jobs")
        let batch = try #require(submitted.first)
        #expect(Set(try await before.jobs(coveredBy: batch)) == Set(jobs.map(\.address)))
        try before.close()

        let restarted = try await stack.runOnce(setup)
        #expect(restarted.log.contains("resuming from the journal"))
        let onChain = try await stack.waitForStatus("Completed", of: jobs.map(\.address), timeout: .seconds(10))
        let journal = try stack.journal(setup)
        for job in jobs {
            let record = try #require(try await journal.record(for: job.address))
            #expect(record.state == .settled, "job \(job.title)")
            #expect(record.submission?.signature == batch, "a second complete_job was signed")
            #expect(onChain[job.address]?["result_cid"].string == record.resultCID)
            let transactions = try await stack.landedTransactionCount(of: job.address)
            #expect(transactions.succeeded == 2, "one initialize_job and one complete_job")
            #expect(transactions.failed == 0)
        }
    }
}
