import AsyncHTTPClient
import DevnetSupport
import Foundation
import Solana
import Testing
import Worker
import WorkerTesting

/// A job cancelled while it runs, a job completed by someone else first, an invalid code CID and an account
/// that is not a Job, next to ordinary jobs, all served by one continuously running worker.
@Suite("End to end: edge cases", .endToEnd, .timeLimit(.minutes(5)))
struct EdgeCaseEndToEndTests {
    @Test("Cancelled, completed elsewhere, invalid CID and a non-Job account each end as specified")
    func edgeCases() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let setup = try await stack.workerSetup(
            "edge", extra: ["MAX_CONCURRENT_JOBS": "4", "METRICS_ADDR": "127.0.0.1:0", "LOG_FORMAT": "text"])
        let sleeper = "import time\ntime.sleep(4)\nprint('finished anyway')"
        let cancelled = try await stack.createJob(code: sleeper)
        let completedElsewhere = try await stack.createJob(code: sleeper)
        let invalid = try await stack.createJob(codeCID: "not-a-cid")
        var discriminator: [UInt8] = [75, 124, 80, 203, 161, 180, 202, 80]
        discriminator += [UInt8](repeating: 0xFF, count: 300)
        let bogus = try await stack.devnet.control(
            "/accounts", ["data_b64": Data(discriminator).base64EncodedString()])
        let bogusAddress = try #require(bogus["address"].string)
        let ordinary = [
            try await stack.createJob(code: "print('ordinary 0')"),
            try await stack.createJob(code: "print('ordinary 1')"),
        ]

        let worker = try stack.start(setup)
        // Both sleepers are running: cancel one, complete the other with someone else's result.
        try await stack.waitForJournal(setup, worker: worker) { journal in
            for job in [cancelled, completedElsewhere]
            where try await journal.record(for: job.address)?.state != .running {
                return false
            }
            return true
        }
        let cancel = try await stack.devnet.control("/jobs/cancel", ["job": cancelled.address.base58])
        #expect(cancel["err"] == .null)
        let theirs = try await stack.devnet.control("/jobs/complete", ["job": completedElsewhere.address.base58])
        #expect(theirs["err"] == .null)
        let theirCID = try #require(theirs["result_cid"].string)

        try await stack.waitForStatus("Completed", of: ordinary.map(\.address) + [invalid.address], worker: worker)
        try await stack.waitForJournal(setup, worker: worker) { journal in
            let cancelledState = try await journal.record(for: cancelled.address)?.state
            let lostState = try await journal.record(for: completedElsewhere.address)?.state
            return cancelledState == .cancelled && lostState == .lostRace
        }
        // Three more polls: the account that is not a Job has been seen again and again.
        let polls = Self.pollCount(worker.log)
        try await stack.waitUntil("three more polls", worker: worker) { Self.pollCount(worker.log) >= polls + 3 }
        let metricsPort = try #require(
            worker.log.firstMatch(of: /serving \/metrics and \/healthz address=127\.0\.0\.1:(\d+)/))
        let metrics = try await fetch("http://127.0.0.1:\(metricsPort.1)/metrics")
        try await stack.stopGracefully(worker)

        let journal = try stack.journal(setup)
        // Cancelled while running: recorded, never completed, the owner's cancel is the last word.
        #expect(try await stack.job(cancelled.address)["status"].string == "Cancelled")
        let cancelledSignatures = try await stack.signatures(of: cancelled.address)
        #expect(cancelledSignatures.count == 2, "initialize_job and cancel_job only")
        // Completed by someone else first: recorded as a lost race, their result stays.
        #expect(try await stack.job(completedElsewhere.address)["result_cid"].string == theirCID)
        #expect(try await journal.record(for: completedElsewhere.address)?.state == .lostRace)
        // Invalid code CID: completed with an error document that explains why.
        let invalidRecord = try #require(try await journal.record(for: invalid.address))
        #expect(invalidRecord.state == .settled)
        let document = try PublishedDocument(try await stack.gatewayBytes(invalidRecord.resultCID ?? ""))
        #expect(document.returncode == ResultDocument.invalidInputReturnCode)
        #expect(document.error?.contains("not-a-cid") == true)
        #expect(document.stderr.contains("not a valid CID"))
        // The account that is not a Job: logged once, counted once, never fatal.
        let reports = worker.log.split(separator: "\n").filter { $0.contains(bogusAddress) }
        #expect(reports.count == 1, "\(reports)")
        #expect(reports.first?.contains("not a usable Job") == true)
        #expect(metrics.contains("cloudmesh_unusable_accounts_total{reason=\"malformed\"} 1"))
        #expect(try await journal.record(for: PublicKey(base58: bogusAddress)) == nil)
        // The rest was served.
        for (index, job) in ordinary.enumerated() {
            let record = try #require(try await journal.record(for: job.address))
            #expect(record.state == .settled)
            let result = try PublishedDocument(try await stack.gatewayBytes(record.resultCID ?? ""))
            #expect(result.stdout == "ordinary \(index)\n")
        }
        #expect(metrics.contains("cloudmesh_jobs_total{outcome=\"settled\"}"))
    }

    private static func pollCount(_ log: String) -> Int {
        log.split(separator: "\n").filter { $0.contains(" debug poll ") }.count
    }

    private func fetch(_ url: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }
}
