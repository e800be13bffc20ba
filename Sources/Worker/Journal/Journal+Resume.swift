import Foundation
import GRDB
import Solana

extension Journal {
    /// Rows per page a start-up reads with ``unfinishedJobs(after:limit:)``.
    package static let resumePageSize = 500

    /// The SQL condition of an unfinished row, word for word the WHERE clause of the `jobs_unfinished` partial
    /// index (migration v2), so that SQLite can use that index.
    static let unfinishedCondition = "state NOT IN ('settled', 'lost_race', 'cancelled', 'failed')"

    /// A page of unfinished jobs: the columns an ``UnfinishedJob`` needs (all stored before the result document),
    /// through the `jobs_unfinished` index; arguments: the address to start after, the page size.
    static let unfinishedJobsSQL = """
        SELECT address, owner, title, code_cid, start_time, slot, state, attempts, next_attempt_at
        FROM jobs INDEXED BY jobs_unfinished
        WHERE \(unfinishedCondition) AND address > ? ORDER BY address LIMIT ?
        """

    /// Up to `limit` jobs not in a terminal state whose address comes after `address` (from the first when nil),
    /// in address order: the work to resume at start, a page at a time.
    ///
    /// Memory is bounded by `limit`: only the columns an ``UnfinishedJob`` holds are read (never a result
    /// document, which SQLite does not even load from disk), through an index of the unfinished rows. Pass the
    /// last address of a page to get the next one; a page shorter than `limit` is the last. Rows that change
    /// between pages are seen in their state at the time their page is read; a row that finishes meanwhile is
    /// simply not returned.
    ///
    /// ```swift
    /// var after: PublicKey? = nil
    /// repeat {
    ///     let page = try await journal.unfinishedJobs(after: after, limit: Journal.resumePageSize)
    ///     for entry in page { /* offer entry.job */ }
    ///     after = page.count == Journal.resumePageSize ? page.last?.address : nil
    /// } while after != nil
    /// ```
    package func unfinishedJobs(after address: PublicKey?, limit: Int = Journal.resumePageSize)
        async throws(JournalError) -> [UnfinishedJob]
    {
        let path = path
        return try await read { db in
            try Row.fetchAll(
                db, sql: Self.unfinishedJobsSQL, arguments: [address?.base58 ?? "", max(0, limit)]
            ).map { row in
                try UnfinishedJob(row: row, path: path)
            }
        }
    }
}

extension UnfinishedJob {
    /// Reads the columns of a `jobs` row that an unfinished job needs, checking them.
    init(row: Row, path: String) throws(JournalError) {
        let addressText: String = row["address"] ?? ""
        guard let address = try? PublicKey(base58: addressText),
            let owner = try? PublicKey(base58: (row["owner"] as String?) ?? ""),
            let state = JobState(rawValue: (row["state"] as String?) ?? ""), !state.isTerminal
        else {
            throw JournalError(kind: .corrupt, path: path, detail: "row \(addressText): bad address, owner or state")
        }
        self.init(
            job: PendingJob(
                address: address, owner: owner, title: row["title"] ?? "", codeCID: row["code_cid"] ?? "",
                startTime: row["start_time"] ?? 0, slot: UInt64(clamping: (row["slot"] as Int64?) ?? 0)),
            state: state, attempts: row["attempts"] ?? 0,
            nextAttemptAt: (row["next_attempt_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }
}
