import Foundation
import GRDB
import Solana
import Testing
import WorkerTesting

@testable import Worker

@Suite struct JobStateMachineTests {
    let job = TestJobs.job(1)
    let date = Date(timeIntervalSince1970: 100)
    let transaction = SubmittedTransaction(
        signature: (try? Signature(bytes: [UInt8](repeating: 7, count: 64))) ?? .placeholder, lastValidBlockHeight: 99,
        wireBytes: [1, 2, 3])

    @Test func happyPathAndNextActions() throws {
        var record = JobRecord(discovered: job, at: date)
        #expect(record.nextAction == .execute)
        try record.apply(.started, at: date)
        #expect(record.state == .running)
        #expect(record.nextAction == .execute, "a run interrupted before its result runs again")
        try record.apply(.executed(resultDocument: [1]), at: date)
        #expect(record.nextAction == .publish(resultDocument: [1]))
        try record.apply(.published(resultCID: "QmR"), at: date)
        #expect(record.nextAction == .settle(resultCID: "QmR"))
        try record.apply(.submitted(transaction), at: date)
        #expect(record.nextAction == .resume(transaction, resultCID: "QmR"))
        try record.apply(.expired, at: date)
        #expect(record.nextAction == .settle(resultCID: "QmR"), "expired: sign again, same CID")
        #expect(record.resultDocument == [1])
        try record.apply(.submitted(transaction), at: date)
        try record.apply(.settled(signature: transaction.signature, slot: 5), at: date)
        #expect(record.state == .settled)
        #expect(record.nextAction == .none)
    }

    /// An update writes only what an event changed: a transition after execution leaves the result document
    /// (up to MAX_RESULT_BYTES) unwritten.
    @Test func anEventChangesOnlyItsOwnColumns() throws {
        var record = JobRecord(discovered: job, at: date)
        try record.apply(.started, at: date)
        var previous = record
        try record.apply(.executed(resultDocument: [1, 2]), at: date.addingTimeInterval(1))
        #expect(Set(record.changedColumns(since: previous).keys) == ["state", "result_document", "updated_at"])
        previous = record
        try record.apply(.published(resultCID: "QmR"), at: date.addingTimeInterval(2))
        #expect(Set(record.changedColumns(since: previous).keys) == ["state", "result_cid", "updated_at"])
        previous = record
        try record.apply(.submitted(transaction), at: date.addingTimeInterval(3))
        #expect(
            Set(record.changedColumns(since: previous).keys)
                == ["state", "signature", "last_valid_block_height", "wire", "updated_at"])
        #expect(record.changedColumns(since: record).isEmpty)
    }

    /// Every column but the job's own (fixed at discovery) is compared: a field added to the row without a
    /// comparison would never be written by an update.
    @Test func everyMutableColumnIsCompared() {
        let before = JobRecord(discovered: job, at: date)
        var after = before
        after.state = .settled
        after.attempts = 3
        after.nextAttemptAt = date
        after.lastError = "e"
        after.resultDocument = [1]
        after.resultDocumentPrunedAt = date
        after.resultCID = "QmR"
        after.submission = transaction
        after.settledSlot = 9
        after.outcomeReason = "r"
        after.createdAt = date.addingTimeInterval(-1)
        after.updatedAt = date.addingTimeInterval(1)
        let fixed: Set<String> = ["address", "owner", "title", "code_cid", "start_time", "slot"]
        #expect(Set(after.changedColumns(since: before).keys) == Set(after.columns.keys).subtracting(fixed))
    }

    @Test func refusesOutOfOrderEvents() {
        var record = JobRecord(discovered: job, at: date)
        #expect(throws: JobTransitionError(state: .discovered, event: "published")) {
            try record.apply(.published(resultCID: "x"), at: date)
        }
        #expect(throws: JobTransitionError.self) { try record.apply(.submitted(transaction), at: date) }
        #expect(throws: JobTransitionError.self) { try record.apply(.expired, at: date) }
        #expect(throws: JobTransitionError.self) { try record.apply(.settled(signature: nil, slot: nil), at: date) }
        try? record.apply(.started, at: date)
        try? record.apply(.executed(resultDocument: [1]), at: date)
        #expect(throws: JobTransitionError.self) { try record.apply(.started, at: date) }
        #expect(throws: JobTransitionError.self) { try record.apply(.executed(resultDocument: [2]), at: date) }
    }

    @Test func terminalStatesAreFinal() {
        for event in [JobEvent.lostRace(reason: "r"), .cancelled(reason: "c"), .failed(reason: "f")] {
            var record = JobRecord(discovered: job, at: date)
            #expect(throws: Never.self) { try record.apply(event, at: date) }
            #expect(record.state.isTerminal)
            #expect(record.nextAction == .none)
            #expect(throws: JobTransitionError.self) { try record.apply(.started, at: date) }
            #expect(throws: JobTransitionError.self) {
                try record.apply(.transientFailure(message: "x", retryAt: date), at: date)
            }
        }
    }

    @Test func transientFailuresCountAndClearOnProgress() throws {
        var record = JobRecord(discovered: job, at: date)
        try record.apply(.transientFailure(message: "gateway 502", retryAt: date.addingTimeInterval(4)), at: date)
        try record.apply(.transientFailure(message: "gateway 503", retryAt: date.addingTimeInterval(8)), at: date)
        #expect(record.attempts == 2)
        #expect(record.lastError == "gateway 503")
        #expect(record.nextAttemptAt == date.addingTimeInterval(8))
        try record.apply(.executed(resultDocument: [1]), at: date)
        #expect(record.attempts == 0)
        #expect(record.nextAttemptAt == nil)
    }
}

@Suite struct JournalTests {
    let harness = Harness()
    let job = TestJobs.job(3)
    let date = Date(timeIntervalSince1970: 1_000)

    @Test func migratesAndUsesWAL() async throws {
        let journal = try harness.openJournal()
        #expect(
            try await journal.appliedMigrations() == [
                "v1: jobs and transitions", "v2: retention, resume paging, space probe",
                "v3: discovery watermark", "v4: jobs by signature",
            ])
        let mode = try await DatabaseQueue(path: journal.path).read { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode")
        }
        #expect(mode == "wal")
        try journal.close()
        let reopened = try harness.openJournal()
        #expect(try await reopened.appliedMigrations().count == 4)
        #expect(await reopened.isWritable())
    }

    @Test func everyTransitionPersistsAndIsLogged() async throws {
        let transaction = SubmittedTransaction(
            signature: (try? Signature(bytes: [UInt8](repeating: 4, count: 64))) ?? .placeholder,
            lastValidBlockHeight: 12_345, wireBytes: [9, 8, 7])
        var journal = try harness.openJournal()
        _ = try await journal.begin(job, at: date)
        let again = try await journal.begin(job, at: date.addingTimeInterval(5))
        #expect(again.createdAt == date, "begin never replaces an existing row")
        try await journal.apply(.started, to: job.address, at: date)
        try await journal.apply(
            .transientFailure(message: "502", retryAt: date.addingTimeInterval(2)), to: job.address, at: date)
        try await journal.apply(.executed(resultDocument: Array("{}".utf8)), to: job.address, at: date)
        try await journal.apply(.published(resultCID: "QmResult"), to: job.address, at: date)
        try await journal.apply(.submitted(transaction), to: job.address, at: date)
        // Reopen: every field survives.
        try journal.close()
        journal = try harness.openJournal()
        let record = try #require(try await journal.record(for: job.address))
        #expect(record.job == job)
        #expect(record.state == .submitted)
        #expect(record.resultDocument == Array("{}".utf8))
        #expect(record.resultCID == "QmResult")
        #expect(record.submission == transaction)
        #expect(try await journal.unfinished().map(\.address) == [job.address])
        try await journal.apply(.settled(signature: transaction.signature, slot: 77), to: job.address, at: date)
        #expect(try await journal.unfinished().isEmpty)
        let settled = try #require(try await journal.record(for: job.address))
        #expect(settled.settledSlot == 77)
        #expect(settled.submission?.wireBytes == [9, 8, 7])
        let transitions = try await journal.transitions(for: job.address)
        #expect(
            transitions.map(\.event) == [
                "discovered", "started", "transient_failure", "executed", "published", "submitted", "settled",
            ])
        #expect(
            transitions.map(\.to) == [.discovered, .running, .running, .executed, .published, .submitted, .settled])
        #expect(transitions[5].detail?.contains("lvbh 12345") == true)
    }

    @Test func refusesInvalidTransitionsWithoutChangingTheRow() async throws {
        let journal = try harness.openJournal()
        _ = try await journal.begin(job, at: date)
        await #expect(throws: JournalError.self) {
            try await journal.apply(.published(resultCID: "x"), to: job.address, at: date)
        }
        await #expect(throws: JournalError.self) {
            try await journal.apply(.started, to: TestJobs.key(99), at: date)
        }
        #expect(try await journal.record(for: job.address)?.state == .discovered)
        #expect(try await journal.transitions(for: job.address).count == 1)
    }

    @Test func unusableJournalsAreReportedClearly() async throws {
        let journal = try harness.openJournal()
        try journal.close()
        await #expect(throws: JournalError.self) { try await journal.begin(job, at: date) }
        #expect(await !journal.isWritable())
        let full = Journal.journalError(
            DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full"), path: "/x")
        #expect(full.kind == .diskFull)
        #expect(full.description.contains("the disk is full"))
        #expect(Journal.journalError(DatabaseError(resultCode: .SQLITE_BUSY), path: "/x").kind == .busy)
        // A state directory that is a file cannot hold a journal.
        let file = harness.directory + "-file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: JournalError.self) { try Journal(directory: file) }
    }
}
