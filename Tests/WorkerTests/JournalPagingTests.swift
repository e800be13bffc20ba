import Foundation
import GRDB
import Solana
import Testing
import WorkerTesting

@testable import Worker

/// A start-up reads the unfinished jobs a page at a time.
@Suite struct JournalPagingTests {
    let harness = Harness()
    let date = Date(timeIntervalSince1970: 1_000)

    @Test func pagesThroughManyUnfinishedJobs() async throws {
        let journal = try harness.openJournal()
        let unfinishedStates: [JobState] = [.discovered, .running, .executed, .published, .submitted]
        var records: [JobRecord] = []
        var expected: Set<PublicKey> = []
        for index in 0..<3_000 {
            // Every sixth job is finished; the others are spread over the unfinished states.
            let state = index % 6 == 5 ? JobState.settled : unfinishedStates[index % 6]
            var record = try JournalFixtures.record(
                JournalFixtures.job(index), state, document: Array("{\"n\": \(index)}".utf8), at: date)
            if index % 7 == 0, !state.isTerminal {
                try record.apply(
                    .transientFailure(message: "502", retryAt: date.addingTimeInterval(Double(index))), at: date)
            }
            records.append(record)
            if !state.isTerminal { expected.insert(record.address) }
        }
        #expect(expected.count == 2_500)
        try await JournalFixtures.insert(records, into: journal)
        let byAddress = Dictionary(uniqueKeysWithValues: records.map { ($0.address, $0) })

        let pageSize = 64
        var seen: [UnfinishedJob] = []
        var pages = 0
        var after: PublicKey? = nil
        repeat {
            let page = try await journal.unfinishedJobs(after: after, limit: pageSize)
            #expect(page.count <= pageSize)
            pages += 1
            seen += page
            after = page.count == pageSize ? page.last?.address : nil
        } while after != nil
        #expect(pages == 2_500 / pageSize + 1)
        #expect(seen.count == 2_500)
        #expect(Set(seen.map(\.address)) == expected, "each unfinished job exactly once, no finished one")
        #expect(seen.map(\.address.base58) == seen.map(\.address.base58).sorted(), "in address order")
        for entry in seen {
            let record = try #require(byAddress[entry.address])
            #expect(entry.job == record.job && entry.state == record.state)
            #expect(entry.attempts == record.attempts && entry.nextAttemptAt == record.nextAttemptAt)
        }
        // The same set as the all-at-once read.
        #expect(Set(try await journal.unfinished().map(\.address)) == expected)
        // Past the end, and an empty page size.
        #expect(try await journal.unfinishedJobs(after: seen.last?.address, limit: pageSize).isEmpty)
        #expect(try await journal.unfinishedJobs(after: nil, limit: 0).isEmpty)
    }

    @Test func readsPagesThroughTheUnfinishedIndex() async throws {
        let journal = try harness.openJournal()
        let plan = try await journal.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Journal.unfinishedJobsSQL, arguments: ["", 10])
                .map { $0["detail"] as String? ?? "" }
        }
        #expect(plan.contains { $0.contains("jobs_unfinished") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "no sort: the index is in address order. \(plan)")
    }

    @Test func aJobThatFinishesBetweenPagesIsNotReturned() async throws {
        let journal = try harness.openJournal()
        for index in 0..<5 {
            try await JournalFixtures.drive(journal, JournalFixtures.job(index), to: .running, at: date)
        }
        let first = try await journal.unfinishedJobs(after: nil, limit: 2)
        #expect(first.count == 2)
        let rest = try await journal.unfinishedJobs(after: first.last?.address, limit: 10).map(\.address)
        try await journal.apply(.failed(reason: "gone"), to: try #require(rest.first), at: date)
        let again = try await journal.unfinishedJobs(after: first.last?.address, limit: 10).map(\.address)
        #expect(again == Array(rest.dropFirst()))
    }
}
