import Foundation
import GRDB

extension Journal {
    /// The default retention of result documents (`JOURNAL_RETENTION`): 7 days.
    package static let defaultRetention: TimeInterval = 7 * 86_400

    /// The SQL condition of a row in a terminal state (see ``JobState/isTerminal``).
    static let terminalCondition = "state IN ('settled', 'lost_race', 'cancelled', 'failed')"

    /// Drops up to a batch of old documents, through the `jobs_retention` index (named, so that SQLite does not
    /// walk every terminal row through `jobs_state` instead); arguments: the time to record, the cutoff, the
    /// batch size.
    static let pruneSQL = """
        UPDATE jobs SET result_document = NULL, result_pruned_at = ? WHERE rowid IN (
          SELECT rowid FROM jobs INDEXED BY jobs_retention
          WHERE result_document IS NOT NULL AND updated_at < ? AND \(terminalCondition) LIMIT ?)
        """

    /// Rows whose documents one transaction of ``pruneResultDocuments(settledBefore:at:)`` drops.
    static let pruneBatchSize = 256

    /// Drops the stored result documents of jobs in a terminal state (settled, lost_race, cancelled, failed)
    /// whose last transition was recorded before `cutoff`, and returns how many it dropped.
    ///
    /// Rows and transitions stay: `show` still prints the record, its CID and its history, and says when the
    /// document was dropped (``JobRecord/resultDocumentPrunedAt``, set to `date`). A terminal record needs no
    /// document (its next action is none), and a published one is on IPFS under the CID recorded on chain. Jobs
    /// not in a terminal state keep theirs whatever their age: the document is what an executed or published job
    /// resumes from.
    ///
    /// Call it periodically with `now - JOURNAL_RETENTION` (``defaultRetention``). It works in transactions of
    /// ``pruneBatchSize`` rows, so the worker's own writes wait for one batch at most, and it stops between
    /// batches when its task is cancelled (returning what it dropped so far). The space freed is reused by later
    /// writes inside the file, which therefore stops growing; the file does not shrink (SQLite `VACUUM`, run
    /// with the worker stopped, shrinks it). Dropping documents takes no new pages (only a few page writes to the
    /// WAL), so it can make room while the disk is full.
    @discardableResult
    package func pruneResultDocuments(settledBefore cutoff: Date, at date: Date = Date()) async throws(JournalError)
        -> Int
    {
        var total = 0
        while !Task.isCancelled {
            let pruned = try await write { db in
                try db.execute(
                    sql: Self.pruneSQL,
                    arguments: [date.timeIntervalSince1970, cutoff.timeIntervalSince1970, Self.pruneBatchSize])
                return db.changesCount
            }
            total += pruned
            if pruned < Self.pruneBatchSize { break }
        }
        return total
    }
}
