import Foundation
import GRDB

extension Journal {
    /// The room ``isWritable(probeBytes:)`` checks for by default (`/healthz`): two pages.
    package static let healthProbeBytes = 8_192

    /// Throws unless the journal can commit a write of `bytes` bytes now: commits a row of that size to a scratch
    /// table, then deletes it in a second transaction (about `bytes` written to the WAL; no job's row changes).
    ///
    /// After a ``JournalError/Kind/diskFull`` failure, a worker pauses and calls this every few seconds with
    /// the size of the largest write it has to make (the result cap, `MAX_RESULT_BYTES`); once it returns, the
    /// space it used is left free inside the journal for that write, and work can resume. It throws
    /// ``JournalError/Kind/diskFull`` while the disk is still full, and the other kinds for other troubles.
    /// Because a successful probe leaves its pages free in the file, a later probe of the same size reuses them:
    /// it proves room for one such write, not that the file system has more.
    package func checkWritable(reserving bytes: Int) async throws(JournalError) {
        let bytes = max(0, bytes)
        _ = try await write { db in
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS probe(x); DELETE FROM probe")
            try db.execute(sql: "INSERT INTO space_probe (data) VALUES (zeroblob(?))", arguments: [bytes])
        }
        _ = try await write { db in try db.execute(sql: "DELETE FROM space_probe") }
    }

    /// Caps the database at `pages` pages on the writer connection, or lifts the cap when nil, and returns the
    /// cap in force (SQLite never sets it below the current size). Tests use it to fill the "disk"
    /// deterministically: a write that needs a new page then fails with `SQLITE_FULL`, as on a full disk.
    func limitPagesForTesting(to pages: Int?) async throws(JournalError) -> Int {
        do {
            return try await database.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages ?? 4_294_967_294)") ?? 0
            }
        } catch {
            throw Self.journalError(error, path: path)
        }
    }
}
