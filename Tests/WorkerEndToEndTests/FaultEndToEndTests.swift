import DevnetSupport
import Foundation
import Solana
import Testing
import Worker
import WorkerTesting

/// Faults injected through the devnet's control API while a real worker runs: every job still settles, with
/// a normal result (never an error document for the worker's own trouble). Each test has its own devnet.
@Suite("End to end: faults", .endToEnd, .timeLimit(.minutes(5)))
struct FaultEndToEndTests {
    /// Creates `count` jobs printing their index; returns them.
    private func makeJobs(_ stack: EndToEndStack, _ count: Int, tag: String) async throws -> [EndToEndStack.CreatedJob]
    {
        var jobs: [EndToEndStack.CreatedJob] = []
        for index in 0..<count { jobs.append(try await stack.createJob(code: "print('\(tag) \(index)')")) }
        return jobs
    }

    /// Checks that each job settled once with the normal result of `print('<tag> <index>')`.
    private func expectNormalResults(
        _ stack: EndToEndStack, _ setup: EndToEndStack.WorkerSetup, _ jobs: [EndToEndStack.CreatedJob], tag: String
    ) async throws {
        let journal = try stack.journal(setup)
        for (index, job) in jobs.enumerated() {
            let record = try #require(try await journal.record(for: job.address))
            #expect(record.state == .settled, "job \(job.title): \(record.state) \(record.outcomeReason ?? "")")
            let document = try PublishedDocument(try await stack.gatewayBytes(record.resultCID ?? ""))
            #expect(document.stdout == "\(tag) \(index)\n")
            #expect(document.returncode == 0 && document.error == nil)
            #expect(try await stack.job(job.address)["result_cid"].string == record.resultCID)
            let transactions = try await stack.landedTransactionCount(of: job.address)
            #expect(transactions.succeeded == 2, "initialize_job and exactly one complete_job for \(job.title)")
        }
    }

    @Test("RPC 429 and 500 bursts: the worker backs off and settles everything")
    func rpcBursts() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let jobs = try await makeJobs(stack, 4, tag: "rpc")
        let setup = try await stack.workerSetup("rpc-faults")
        try await stack.devnet.control("/faults/rpc", ["status": 429, "count": 12, "retry_after": 1])
        try await stack.devnet.control("/faults/rpc", ["status": 500, "count": 12])
        let worker = try stack.start(setup)
        try await stack.waitForStatus("Completed", of: jobs.map(\.address), worker: worker)
        try await stack.stopGracefully(worker)
        #expect(worker.log.contains("429"))
        #expect(worker.log.contains("500"))
        try await expectNormalResults(stack, setup, jobs, tag: "rpc")
    }

    @Test("Dropped transactions: the worker rebroadcasts the same signed transaction until it lands")
    func droppedTransactions() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let jobs = try await makeJobs(stack, 3, tag: "drop")
        let setup = try await stack.workerSetup("drops", extra: ["MAX_CONCURRENT_JOBS": "1"])
        try await stack.devnet.control("/faults/drop-transactions", ["count": 3])
        let worker = try stack.start(setup)
        try await stack.waitForStatus("Completed", of: jobs.map(\.address), worker: worker)
        try await stack.stopGracefully(worker)
        try await expectNormalResults(stack, setup, jobs, tag: "drop")
        let journal = try stack.journal(setup)
        for job in jobs {
            let transitions = try await journal.transitions(for: job.address)
            #expect(transitions.filter { $0.event == "submitted" }.count == 1, "no re-signing was needed")
        }
    }

    @Test("Expired blockhashes: a transaction that cannot land any more is signed again with the same result CID")
    func expiredBlockhashes() async throws {
        let stack = try await EndToEndStack.start(slotMilliseconds: 20)
        defer { stack.stop() }
        let jobs = try await makeJobs(stack, 2, tag: "expiry")
        let setup = try await stack.workerSetup("expiry")
        try await stack.devnet.control("/faults/drop-transactions", ["count": 100_000])
        let worker = try stack.start(setup)
        try await stack.waitForJournal(setup, worker: worker) { journal in
            for job in jobs
            where try await !journal.transitions(for: job.address).contains(where: { $0.event == "expired" }) {
                return false
            }
            return true
        }
        try await stack.devnet.control("/reset")
        try await stack.waitForStatus("Completed", of: jobs.map(\.address), worker: worker)
        try await stack.stopGracefully(worker)
        try await expectNormalResults(stack, setup, jobs, tag: "expiry")
        let journal = try stack.journal(setup)
        for job in jobs {
            let transitions = try await journal.transitions(for: job.address)
            #expect(transitions.filter { $0.event == "executed" }.count == 1, "never executed again")
            #expect(transitions.filter { $0.event == "published" }.count == 1, "never published again")
            let submissions = transitions.filter { $0.event == "submitted" }.compactMap(\.detail)
            #expect(submissions.count >= 2)
            #expect(Set(submissions).count == submissions.count, "each submission is a new signature")
        }
    }

    @Test("A gateway serving corrupted content is skipped for a good second gateway")
    func corruptedGateway() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let jobs = try await makeJobs(stack, 3, tag: "gateway")
        let gateway = stack.devnet.endpoints.gatewayURL
        // The devnet has one gateway: listed twice, with each CID corrupted once, the first answer for every
        // job is corrupted and the second one good, as with a bad first gateway and a good second one.
        let setup = try await stack.workerSetup("gateways", extra: ["IPFS_GATEWAY_URL": "\(gateway),\(gateway)/"])
        for job in jobs {
            try await stack.devnet.control("/faults/gateway", ["mode": "corrupt", "cid": job.codeCID, "count": 1])
        }
        let worker = try stack.start(setup)
        try await stack.waitForStatus("Completed", of: jobs.map(\.address), worker: worker)
        try await stack.stopGracefully(worker)
        #expect(worker.log.contains("does not verify"))
        try await expectNormalResults(stack, setup, jobs, tag: "gateway")
    }

    @Test("Pinata failures: publishing is retried until it succeeds")
    func pinataFailures() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let jobs = try await makeJobs(stack, 3, tag: "pinata")
        let setup = try await stack.workerSetup("pinata")
        try await stack.devnet.control("/faults/pinata", ["count": 12, "status": 500])
        let worker = try stack.start(setup)
        try await stack.waitForStatus("Completed", of: jobs.map(\.address), worker: worker)
        try await stack.stopGracefully(worker)
        try await expectNormalResults(stack, setup, jobs, tag: "pinata")
    }
}
