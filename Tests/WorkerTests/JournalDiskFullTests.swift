import Foundation
import GRDB
import Solana
import Testing
import WorkerTesting

@testable import Worker

/// A full disk is reported as such, changes nothing, and the journal works again once space is freed.
///
/// The disk is filled deterministically by capping the database's page count on the journal's writer connection
/// (`PRAGMA max_page_count`): SQLite then fails a write that needs a new page with `SQLITE_FULL`, exactly as when
/// the file system returns ENOSPC.
@Suite struct JournalDiskFullTests {
    let harness = Harness()
    let date = Date(timeIntervalSince1970: 1_000)
    let job = JournalFixtures.job(1)
    let document = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1_024)

    func expectDiskFull(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            try await body()
            Issue.record("the write succeeded on a full disk", sourceLocation: sourceLocation)
        } catch let error as JournalError {
            #expect(error.kind == .diskFull, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains("the disk is full"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("not a JournalError: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func aFullDiskFailsTheWriteChangesNothingAndRecovers() async throws {
        let journal = try harness.openJournal()
        try await JournalFixtures.drive(journal, job, to: .running, at: date)
        let before = try #require(try await journal.record(for: job.address))
        let transitionsBefore = try await journal.transitions(for: job.address)

        let pages = try await journal.limitPagesForTesting(to: 1)
        #expect(pages > 1, "SQLite keeps the cap at the current size")
        await expectDiskFull {
            try await journal.apply(
                .executed(resultDocument: document), to: job.address, at: date.addingTimeInterval(1))
        }
        #expect(try await journal.record(for: job.address) == before, "the failed transaction changed nothing")
        #expect(try await journal.transitions(for: job.address) == transitionsBefore)
        // The probe says so too, for `/healthz` and for a paused worker.
        #expect(await !journal.isWritable())
        #expect(await !journal.isWritable(probeBytes: document.count))
        await expectDiskFull { try await journal.checkWritable(reserving: document.count) }
        // Reads still work: the worker can tell what it has.
        #expect(try await journal.unfinishedJobs(after: nil, limit: 10).map(\.state) == [.running])

        // Space is freed: the same write succeeds.
        #expect(try await journal.limitPagesForTesting(to: nil) > pages)
        try await journal.checkWritable(reserving: document.count)
        let after = try await journal.apply(
            .executed(resultDocument: document), to: job.address, at: date.addingTimeInterval(2))
        #expect(after.state == .executed && after.resultDocument == document)
        #expect(try await journal.record(for: job.address) == after)
        #expect(try await journal.transitions(for: job.address).count == transitionsBefore.count + 1)
    }

    @Test func aSuccessfulProbeLeavesRoomForTheWriteItProbedFor() async throws {
        let journal = try harness.openJournal()
        try await JournalFixtures.drive(journal, job, to: .running, at: date)
        try await journal.checkWritable(reserving: document.count + 8_192)
        // The probe's pages are free inside the file: a write of that size fits without growing it.
        _ = try await journal.limitPagesForTesting(to: 1)
        try await journal.apply(.executed(resultDocument: document), to: job.address, at: date)
        #expect(try await journal.record(for: job.address)?.state == .executed)
    }

    @Test func pruningMakesRoomOnAFullDisk() async throws {
        let journal = try harness.openJournal()
        try await JournalFixtures.drive(journal, JournalFixtures.job(9), to: .settled, document: document, at: date)
        try await JournalFixtures.drive(journal, job, to: .running, at: date)
        // Rewriting job 9's row as it moved on left free pages behind; take them away first.
        try await journal.database.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        _ = try await journal.limitPagesForTesting(to: 1)
        await expectDiskFull {
            try await journal.apply(.executed(resultDocument: document), to: job.address, at: date)
        }
        // Dropping old documents needs no new page, and frees the pages the next write needs.
        #expect(try await journal.pruneResultDocuments(settledBefore: date.addingTimeInterval(1)) == 1)
        #expect(await journal.isWritable(probeBytes: document.count))
        try await journal.apply(.executed(resultDocument: document), to: job.address, at: date)
        #expect(try await journal.record(for: job.address)?.resultDocument == document)
    }

    @Test func ioErrorsOnAFullFileSystemAreDiskFull() {
        let ioError = DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error")
        #expect(Journal.journalError(ioError, path: "/x", availableBytes: { _ in 0 }).kind == .diskFull)
        #expect(Journal.journalError(ioError, path: "/x", availableBytes: { _ in 1 << 40 }).kind == .unwritable)
        #expect(Journal.journalError(ioError, path: "/x", availableBytes: { _ in nil }).kind == .unwritable)
        let full = DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full")
        #expect(Journal.journalError(full, path: "/x", availableBytes: { _ in 1 << 40 }).kind == .diskFull)
        #expect(Journal.journalError(POSIXError(.ENOSPC), path: "/x").kind == .diskFull)
        #expect(Journal.journalError(CocoaError(.fileWriteOutOfSpace), path: "/x").kind == .diskFull)
        #expect(Journal.journalError(POSIXError(.EACCES), path: "/x").kind == .unwritable)
        #expect(Journal.availableBytes(near: harness.directory + "/journal.sqlite") != nil)
    }
}
