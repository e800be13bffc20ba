import DevnetSupport
import Foundation
import Logging
import Solana
import Testing

@testable import Worker

/// Incremental discovery (``ChainJobSource`` over ``IncrementalDiscovery``) against a devnet of its own: jobs
/// found at start-up and between polls, jobs leaving the candidate set, paging past 1,000 signatures, the
/// fallback to full scans on a node without history, and the watermark across restarts.
@Suite(.serialized)
struct IncrementalDiscoveryTests {
    @Test("A job created while the worker is down is found at start-up; a restart resumes from the watermark")
    func startUpAndRestart() async throws {
        try await DiscoveryBench.with { bench in
            let before = try await bench.createJob()
            let first = try bench.source()
            #expect(try await first.pendingAddresses().contains(before))
            let recorded = try #require(try await bench.journal.discoveryWatermark(program: bench.program))
            #expect(await first.discoveryWatermark() == recorded)

            // Down: a job is created, then a new source (a restart) opens the same journal.
            let whileDown = try await bench.createJob()
            let second = try bench.source()
            let scans = try await bench.requests("getProgramAccounts")
            let found = try await second.pendingAddresses()
            #expect(found.isSuperset(of: [before, whileDown]))
            #expect(try await bench.requests("getProgramAccounts") == scans + 1, "one reconciling scan")
            let resumed = try #require(try await bench.journal.discoveryWatermark(program: bench.program))
            #expect(resumed.slot >= recorded.slot && resumed != recorded)

            // After it, polls are incremental.
            let next = try await bench.createJob()
            let histories = try await bench.requests("getSignaturesForAddress")
            #expect(try await second.pendingAddresses().contains(next))
            #expect(try await bench.requests("getProgramAccounts") == scans + 1)
            #expect(try await bench.requests("getSignaturesForAddress") > histories)
            #expect(try await bench.journal.discoveryWatermark(program: bench.program)?.slot ?? 0 >= resumed.slot)
        }
    }

    @Test("A job created between two polls is found by the next, without a full scan")
    func betweenPolls() async throws {
        try await DiscoveryBench.with { bench in
            let source = try bench.source()
            #expect(try await source.pendingAddresses().isEmpty)
            let scans = try await bench.requests("getProgramAccounts")
            let job = try await bench.createJob()
            #expect(try await source.pendingAddresses() == [job])
            #expect(try await source.pendingAddresses() == [job])
            #expect(try await bench.requests("getProgramAccounts") == scans)
        }
    }

    @Test("Jobs completed by another worker or cancelled leave the candidate set")
    func leavesTheSet() async throws {
        try await DiscoveryBench.with { bench in
            let completed = try await bench.createJob()
            let cancelled = try await bench.createJob()
            let stays = try await bench.createJob()
            let source = try bench.source()
            #expect(try await source.pendingAddresses() == [completed, cancelled, stays])
            let done = try await bench.devnet.control("/jobs/complete", ["job": completed.base58])
            #expect(done["err"] == .null)
            let cancel = try await bench.devnet.control("/jobs/cancel", ["job": cancelled.base58])
            #expect(cancel["err"] == .null)
            try await bench.waitUntilConfirmed(completed, status: "Completed")
            try await bench.waitUntilConfirmed(cancelled, status: "Cancelled")
            #expect(try await source.pendingAddresses() == [stays])
        }
    }

    @Test("More than 1,000 new signatures between polls are paged")
    func pagesPastAThousand() async throws {
        try await DiscoveryBench.with { bench in
            let source = try bench.source()
            #expect(try await source.pendingAddresses().isEmpty)
            let created = try await bench.devnet.control("/jobs/bulk", ["count": 1_005, "transactions": true])
            let jobs = try Set((created["jobs"].array ?? []).map { try PublicKey(base58: $0.string ?? "") })
            #expect(jobs.count == 1_005)
            try await bench.waitUntilConfirmed(try #require(jobs.first), status: "Pending")
            try await bench.waitForSlots(2)
            let (histories, scans) = (
                try await bench.requests("getSignaturesForAddress"), try await bench.requests("getProgramAccounts")
            )
            #expect(try await source.pendingAddresses() == jobs)
            #expect(try await bench.requests("getSignaturesForAddress") >= histories + 2, "two pages at least")
            #expect(try await bench.requests("getProgramAccounts") == scans, "no full scan")
        }
    }

    @Test("A node without transaction history: discovery falls back to full scans")
    func noHistory() async throws {
        try await DiscoveryBench.with { bench in
            let source = try bench.source()
            let first = try await bench.createJob()
            #expect(try await source.pendingAddresses() == [first])
            #expect(await source.fallsBackToFullScans() == false)

            try await bench.devnet.control("/faults/no-history", ["on": true])
            let second = try await bench.createJob()
            let scans = try await bench.requests("getProgramAccounts")
            #expect(try await source.pendingAddresses() == [first, second])
            #expect(await source.fallsBackToFullScans())
            #expect(try await bench.requests("getProgramAccounts") == scans + 1)
            let third = try await bench.createJob()
            #expect(try await source.pendingAddresses() == [first, second, third])
            #expect(try await bench.requests("getProgramAccounts") == scans + 2, "every poll is a full scan")

            // A source started against such a node scans in full from the start.
            let fresh = try bench.source()
            #expect(try await fresh.pendingAddresses() == [first, second, third])
            #expect(await fresh.fallsBackToFullScans())
        }
    }

    @Test("A gap the signatures cannot bridge costs one full scan, then polls are incremental again")
    func gap() async throws {
        try await DiscoveryBench.with { bench in
            let discovery = IncrementalDiscovery(
                client: bench.client, programID: bench.program,
                classifier: JobAccountClassifier(
                    programID: bench.program, metrics: WorkerMetrics.prometheus().metrics,
                    logger: Logger(label: "discovery-test")),
                store: bench.journal, settings: .init(fullScanInterval: nil, maxSignaturePages: 1),
                logger: Logger(label: "discovery-test"))
            #expect(try await discovery.pendingJobs().isEmpty)
            let created = try await bench.devnet.control("/jobs/bulk", ["count": 1_001, "transactions": true])
            let jobs = try Set((created["jobs"].array ?? []).map { try PublicKey(base58: $0.string ?? "") })
            try await bench.waitUntilConfirmed(try #require(jobs.first), status: "Pending")
            try await bench.waitForSlots(2)
            let scans = try await bench.requests("getProgramAccounts")
            #expect(Set(try await discovery.pendingJobs().map(\.address)) == jobs)
            #expect(try await bench.requests("getProgramAccounts") == scans + 1, "the gap: one full scan")
            #expect(await discovery.fallsBackToFullScans == false)
            let next = try await bench.createJob()
            #expect(Set(try await discovery.pendingJobs().map(\.address)) == jobs.union([next]))
            #expect(try await bench.requests("getProgramAccounts") == scans + 1, "incremental again")
        }
    }

    @Test("FULL_SCAN_INTERVAL: a reconciling full scan once the interval has passed")
    func fullScanInterval() async throws {
        try await DiscoveryBench.with { bench in
            let source = try bench.source(fullScanInterval: .zero)
            let job = try await bench.createJob()
            let scans = try await bench.requests("getProgramAccounts")
            #expect(try await source.pendingAddresses() == [job])
            #expect(try await source.pendingAddresses() == [job])
            #expect(try await bench.requests("getProgramAccounts") == scans + 2)
        }
    }
}

/// A devnet, an RPC client and a journal for one test of discovery.
private struct DiscoveryBench {
    let devnet: Devnet
    let client: SolanaRPCClient
    let program: PublicKey
    let journal: Journal
    let owner: [UInt8]

    static func with(_ body: (DiscoveryBench) async throws -> Void) async throws {
        try await Devnet.with(slotMilliseconds: 50) { devnet in
            let client = try SolanaRPCClient(endpoint: devnet.endpoints.rpcURL)
            let program = try PublicKey(base58: try #require(devnet.endpoints.programIds.first))
            let journal = try Journal(directory: devnet.directory.appendingPathComponent("state").path)
            defer { try? journal.close() }
            let keypair = try await devnet.control("/keypairs", ["fund": true])
            let owner = try #require(keypair["secret_key"].array?.compactMap(\.int).map { UInt8($0) })
            try await body(
                DiscoveryBench(devnet: devnet, client: client, program: program, journal: journal, owner: owner))
        }
    }

    /// A new source on the shared journal (a worker starting).
    func source(fullScanInterval: Duration? = .seconds(3600)) throws -> ChainJobSource {
        ChainJobSource(
            client: client, programID: program, subscription: nil,
            metrics: WorkerMetrics.prometheus().metrics, logger: Logger(label: "discovery-test"),
            watermarks: journal, fullScanInterval: fullScanInterval)
    }

    /// Creates a job with a real `initialize_job` transaction and waits until a confirmed read sees it.
    func createJob() async throws -> PublicKey {
        let answer = try await devnet.control(
            "/jobs",
            ["content": "print('discovery')", "owner_secret_key": owner.map { Int($0) }] as [String: any Sendable])
        #expect(answer["err"] == .null, "initialize_job failed: \(answer)")
        let job = try PublicKey(base58: try #require(answer["job"].string))
        try await waitUntilConfirmed(job, status: "Pending")
        return job
    }

    /// Waits until `job` reads `status` at confirmed commitment, then one slot more (so that its signature is
    /// listed at confirmed as well).
    func waitUntilConfirmed(_ job: PublicKey, status: String) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let answer = try? await devnet.control("/jobs/\(job.base58)?commitment=confirmed"),
                answer["status"].string == status
            {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("job \(job) did not reach \(status) at confirmed commitment")
    }

    /// Waits for `count` more slots.
    func waitForSlots(_ count: UInt64) async throws {
        let start = try await client.getSlot(commitment: .processed)
        while try await client.getSlot(commitment: .processed) < start + count {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// JSON-RPC calls of `method` the devnet has answered so far.
    func requests(_ method: String) async throws -> Int {
        try await devnet.control("/status")["traffic"]["rpc"][method]["requests"].int ?? 0
    }
}

extension ChainJobSource {
    /// The addresses of the pending jobs a poll returns.
    fileprivate func pendingAddresses() async throws -> Set<PublicKey> {
        Set(try await pendingJobs().map(\.address))
    }
}
