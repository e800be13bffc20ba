import Foundation
import GRDB
import Solana
import Testing
import WorkerTesting

@testable import Worker

/// The journal's retention drops old result documents of finished jobs, and nothing else.
@Suite struct JournalRetentionTests {
    let harness = Harness()
    let times = JournalFixtures.RetentionTimes()

    @Test func dropsOnlyOldTerminalDocuments() async throws {
        let journal = try harness.openJournal()
        let settled = JournalFixtures.job(1)
        let failedAfterRun = JournalFixtures.job(2)
        let cancelled = JournalFixtures.job(3)
        let recentSettled = JournalFixtures.job(4)
        let published = JournalFixtures.job(5)
        let executed = JournalFixtures.job(6)
        let lostBeforeRun = JournalFixtures.job(7)
        try await JournalFixtures.drive(journal, settled, to: .settled, document: times.document, at: times.old)
        try await JournalFixtures.drive(journal, failedAfterRun, to: .failed, document: times.document, at: times.old)
        try await JournalFixtures.drive(journal, cancelled, to: .cancelled, document: times.document, at: times.old)
        try await JournalFixtures.drive(
            journal, recentSettled, to: .settled, document: times.document, at: times.recent)
        try await JournalFixtures.drive(journal, published, to: .published, document: times.document, at: times.old)
        try await JournalFixtures.drive(journal, executed, to: .executed, document: times.document, at: times.old)
        try await JournalFixtures.drive(journal, lostBeforeRun, to: .lostRace, document: nil, at: times.old)
        let jobs = [settled, failedAfterRun, cancelled, recentSettled, published, executed, lostBeforeRun]
        var before: [PublicKey: (JobRecord, [JobTransition])] = [:]
        for job in jobs {
            before[job.address] = (
                try #require(try await journal.record(for: job.address)),
                try await journal.transitions(for: job.address)
            )
        }

        #expect(try await journal.pruneResultDocuments(settledBefore: times.cutoff, at: times.now) == 3)
        #expect(
            try await journal.pruneResultDocuments(settledBefore: times.cutoff, at: times.now) == 0,
            "nothing left to drop")

        for job in [settled, failedAfterRun, cancelled] {
            let record = try #require(try await journal.record(for: job.address))
            var expected = try #require(before[job.address]?.0)
            expected.resultDocument = nil
            expected.resultDocumentPrunedAt = times.now
            #expect(record == expected, "only the document goes; state, CID, signature, times stay")
            #expect(record.nextAction == .none)
            #expect(try await journal.transitions(for: job.address) == before[job.address]?.1)
        }
        for job in [recentSettled, published, executed, lostBeforeRun] {
            #expect(try await journal.record(for: job.address) == before[job.address]?.0, "kept as it was")
            #expect(try await journal.transitions(for: job.address) == before[job.address]?.1)
        }
        // The unfinished jobs resume from their documents.
        #expect(try await journal.record(for: executed.address)?.nextAction == .publish(resultDocument: times.document))
        #expect(try await journal.record(for: published.address)?.nextAction == .settle(resultCID: "QmResult"))
        // Later, the recent one's turn comes.
        #expect(try await journal.pruneResultDocuments(settledBefore: times.now, at: times.now) == 1)
        #expect(try await journal.record(for: published.address)?.resultDocument == times.document)

        // A reopened journal still says so.
        try journal.close()
        let reopened = try harness.openJournal()
        #expect(try await reopened.record(for: settled.address)?.resultDocumentPrunedAt == times.now)
        #expect(try await reopened.unfinished().map(\.address).sorted { $0.base58 < $1.base58 }.count == 2)
    }

    @Test func prunesInBatchesThroughItsIndex() async throws {
        let journal = try harness.openJournal()
        let count = Journal.pruneBatchSize * 2 + 10
        var records: [JobRecord] = []
        for index in 0..<count {
            let state: JobState = [.settled, .lostRace, .cancelled, .failed][index % 4]
            records.append(
                try JournalFixtures.record(JournalFixtures.job(index), state, document: times.document, at: times.old))
        }
        records.append(
            try JournalFixtures.record(JournalFixtures.job(count), .submitted, document: times.document, at: times.old))
        try await JournalFixtures.insert(records, into: journal)
        #expect(try await journal.pruneResultDocuments(settledBefore: times.cutoff, at: times.now) == count)
        let left = try await journal.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM jobs WHERE result_document IS NOT NULL")
        }
        #expect(left == 1, "the submitted job keeps its document")
        let plan = try await journal.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Journal.pruneSQL, arguments: [0, 0, 1])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("jobs_retention") }, "\(plan)")
    }

    @Test func migratesAJournalOfTheFirstSchema() async throws {
        // A journal written by the previous version (schema v1) with a settled job.
        try FileManager.default.createDirectory(atPath: harness.directory, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: (harness.directory as NSString).appendingPathComponent(Journal.fileName))
        try Journal.migrator.migrate(queue, upTo: "v1: jobs and transitions")
        let job = JournalFixtures.job(1)
        try await queue.write { [document = times.document] db in
            try db.execute(
                sql: """
                    INSERT INTO jobs (address, owner, title, code_cid, start_time, slot, state, result_document,
                      result_cid, created_at, updated_at)
                    VALUES (?, ?, 'v1', 'QmCode', 1, 40, 'settled', ?, 'QmResult', 1000, 1000)
                    """, arguments: [job.address.base58, job.owner.base58, Data(document)])
        }
        try queue.close()

        let journal = try harness.openJournal()
        #expect(
            try await journal.appliedMigrations() == [
                "v1: jobs and transitions", "v2: retention, resume paging, space probe",
                "v3: discovery watermark", "v4: jobs by signature",
            ])
        let record = try #require(try await journal.record(for: job.address))
        #expect(record.resultDocument == times.document && record.resultDocumentPrunedAt == nil)
        #expect(try await journal.pruneResultDocuments(settledBefore: times.cutoff, at: times.now) == 1)
        #expect(try await journal.record(for: job.address)?.resultDocumentPrunedAt == times.now)
    }

    @Test func sqlConditionsAgreeWithJobState() {
        for state in JobState.allCases {
            #expect(Journal.terminalCondition.contains("'\(state.rawValue)'") == state.isTerminal)
            #expect(Journal.unfinishedCondition.contains("'\(state.rawValue)'") == state.isTerminal)
        }
    }
}
