import DevnetSupport
import Foundation
import Solana
import Testing
import Worker
import WorkerTesting

/// Two real workers on one devnet: sharded (no job executed twice) and unsharded (races lost calmly).
@Suite("End to end: several workers", .endToEnd, .timeLimit(.minutes(5)))
struct MultiWorkerEndToEndTests {
    @Test("WORKER_SHARD 1/2 and 2/2 settle 20 jobs, each executed once, by its shard's worker")
    func shardedWorkers() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        var jobs: [EndToEndStack.CreatedJob] = []
        for index in 0..<20 { jobs.append(try await stack.createJob(code: "print('shard job \(index)')")) }
        let setups = [
            try await stack.workerSetup("shard-1", extra: ["WORKER_SHARD": "1/2"]),
            try await stack.workerSetup("shard-2", extra: ["WORKER_SHARD": "2/2"]),
        ]
        let workers = try setups.map { try stack.start($0, arguments: ["--once"]) }
        for worker in workers {
            let exit = try await worker.waitForExit()
            #expect(exit == .init(signaled: false, status: 0), "\(worker.name): \(worker.tail())")
        }
        try await stack.waitForStatus("Completed", of: jobs.map(\.address), timeout: .seconds(10))

        let journals = try setups.map { try stack.journal($0) }
        for job in jobs {
            var executions: [Int] = []
            for journal in journals {
                executions.append(
                    try await journal.transitions(for: job.address).filter { $0.event == "executed" }.count)
            }
            #expect(executions.reduce(0, +) == 1, "job \(job.title) executed \(executions) times")
            let owner = WorkerShard.shardNumber(of: job.address, count: 2)
            #expect(executions[owner] == 1, "job \(job.title) belongs to shard \(owner + 1)")
            let record = try #require(try await journals[owner].record(for: job.address))
            #expect(record.state == .settled)
            #expect(try await stack.job(job.address)["result_cid"].string == record.resultCID)
        }
    }

    @Test("Two workers without shards settle every job once; losers record the race calmly")
    func racingWorkers() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        var jobs: [EndToEndStack.CreatedJob] = []
        for index in 0..<12 { jobs.append(try await stack.createJob(code: "print('race job \(index)')")) }
        let setups = [
            try await stack.workerSetup("racer-1", extra: ["MAX_CONCURRENT_JOBS": "3"]),
            try await stack.workerSetup("racer-2", extra: ["MAX_CONCURRENT_JOBS": "3"]),
        ]
        let workers = try setups.map { try stack.start($0, arguments: ["--once"]) }
        for worker in workers {
            let exit = try await worker.waitForExit()
            #expect(exit == .init(signaled: false, status: 0), "\(worker.name): \(worker.tail())")
        }
        let onChain = try await stack.waitForStatus("Completed", of: jobs.map(\.address), timeout: .seconds(10))

        let journals = try setups.map { try stack.journal($0) }
        for job in jobs {
            var settledBy: [Int] = []
            for (index, journal) in journals.enumerated() {
                guard let record = try await journal.record(for: job.address) else { continue }
                #expect([.settled, .lostRace].contains(record.state), "job \(job.title): \(record.state)")
                if record.state == .settled {
                    settledBy.append(index)
                    #expect(onChain[job.address]?["result_cid"].string == record.resultCID)
                }
            }
            #expect(settledBy.count == 1, "job \(job.title) settled by workers \(settledBy)")
            let transactions = try await stack.landedTransactionCount(of: job.address)
            #expect(transactions.succeeded == 2, "initialize_job and one complete_job for \(job.title)")
        }
        for worker in workers {
            // A text line is "<timestamp> <level> …"; a message may quote "custom program error 6003".
            let levels = worker.log.split(separator: "\n").map { $0.split(separator: " ").dropFirst().first ?? "" }
            #expect(!levels.contains("error"), "\(worker.name) logged an error:\n\(worker.tail())")
            #expect(!levels.contains("critical"))
        }
        let raceLines = workers.flatMap { $0.log.split(separator: "\n").filter { $0.contains("another worker") } }
        #expect(raceLines.allSatisfy { $0.contains(" notice ") || $0.contains(" info ") }, "\(raceLines)")
    }
}
