import Foundation
import GRDB
import Solana

extension Journal {
    /// The schema, one migration per change; never edit a shipped migration, add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: jobs and transitions") { db in
            try db.create(table: "jobs") { table in
                table.primaryKey("address", .text)
                table.column("owner", .text).notNull()
                table.column("title", .text).notNull()
                table.column("code_cid", .text).notNull()
                table.column("start_time", .integer).notNull()
                table.column("slot", .integer).notNull()
                table.column("state", .text).notNull()
                table.column("attempts", .integer).notNull().defaults(to: 0)
                table.column("next_attempt_at", .double)
                table.column("last_error", .text)
                table.column("result_document", .blob)
                table.column("result_cid", .text)
                table.column("signature", .text)
                table.column("last_valid_block_height", .integer)
                table.column("wire", .blob)
                table.column("settled_slot", .integer)
                table.column("outcome_reason", .text)
                table.column("created_at", .double).notNull()
                table.column("updated_at", .double).notNull()
            }
            try db.create(index: "jobs_state", on: "jobs", columns: ["state"])
            try db.create(table: "transitions") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("address", .text).notNull()
                table.column("from_state", .text)
                table.column("to_state", .text).notNull()
                table.column("event", .text).notNull()
                table.column("detail", .text)
                table.column("at", .double).notNull()
            }
            try db.create(index: "transitions_address", on: "transitions", columns: ["address"])
        }
        migrator.registerMigration("v2: retention, resume paging, space probe") { db in
            // When the retention dropped the row's result document (nil while it is kept).
            try db.alter(table: "jobs") { table in table.add(column: "result_pruned_at", .double) }
            // The documents still held, by last transition: what the retention visits.
            try db.execute(
                sql: "CREATE INDEX jobs_retention ON jobs(updated_at) WHERE result_document IS NOT NULL")
            // The unfinished jobs, by address: what a start-up resumes, a page at a time. Queries must repeat
            // this WHERE clause word for word (``Journal/unfinishedCondition``) for SQLite to use the index.
            try db.execute(
                sql: """
                    CREATE INDEX jobs_unfinished ON jobs(address) \
                    WHERE state NOT IN ('settled', 'lost_race', 'cancelled', 'failed')
                    """)
            // Scratch rows written and deleted by the space probe (``Journal/checkWritable(reserving:)``).
            try db.create(table: "space_probe") { table in table.column("data", .blob) }
        }
        migrator.registerMigration("v3: discovery watermark") { db in
            // The newest transaction of the program that discovery has read, one row per program
            // (``Journal/discoveryWatermark(program:)``).
            try db.create(table: "discovery_watermark") { table in
                table.primaryKey("program", .text)
                table.column("signature", .text).notNull()
                table.column("slot", .integer).notNull()
                table.column("updated_at", .double).notNull()
            }
        }
        migrator.registerMigration("v4: jobs by signature") { db in
            // One complete_job transaction settles several jobs: each of their rows holds its signature, and
            // this index answers which jobs a signature covers (``Journal/jobs(coveredBy:)``).
            try db.execute(sql: "CREATE INDEX jobs_signature ON jobs(signature) WHERE signature IS NOT NULL")
        }
        return migrator
    }
}

extension JobRecord {
    /// Reads a `jobs` row, checking every field.
    init(row: Row, path: String) throws(JournalError) {
        func corrupt(_ detail: String) -> JournalError { JournalError(kind: .corrupt, path: path, detail: detail) }
        let addressText: String = row["address"] ?? ""
        guard let address = try? PublicKey(base58: addressText),
            let owner = try? PublicKey(base58: (row["owner"] as String?) ?? ""),
            let state = JobState(rawValue: (row["state"] as String?) ?? "")
        else { throw corrupt("row \(addressText): bad address, owner or state") }
        let job = PendingJob(
            address: address, owner: owner, title: row["title"] ?? "", codeCID: row["code_cid"] ?? "",
            startTime: row["start_time"] ?? 0, slot: UInt64(clamping: (row["slot"] as Int64?) ?? 0))
        self.init(discovered: job, at: Date(timeIntervalSince1970: row["created_at"] ?? 0))
        self.state = state
        self.attempts = row["attempts"] ?? 0
        self.nextAttemptAt = (row["next_attempt_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        self.lastError = row["last_error"]
        self.resultDocument = (row["result_document"] as Data?).map { Array($0) }
        self.resultCID = row["result_cid"]
        if let signatureText = row["signature"] as String? {
            guard let signature = try? Signature(base58: signatureText) else {
                throw corrupt("row \(addressText): bad signature")
            }
            self.submission = SubmittedTransaction(
                signature: signature,
                lastValidBlockHeight: UInt64(clamping: (row["last_valid_block_height"] as Int64?) ?? 0),
                wireBytes: (row["wire"] as Data?).map { Array($0) } ?? [])
        }
        self.settledSlot = (row["settled_slot"] as Int64?).map { UInt64(clamping: $0) }
        self.outcomeReason = row["outcome_reason"]
        self.resultDocumentPrunedAt = (row["result_pruned_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        self.updatedAt = Date(timeIntervalSince1970: row["updated_at"] ?? 0)
        switch state {
        case .executed where resultDocument == nil:
            throw corrupt("row \(addressText): executed without a result document")
        case .published where resultCID == nil: throw corrupt("row \(addressText): published without a result CID")
        case .submitted where resultCID == nil || submission == nil:
            throw corrupt("row \(addressText): submitted without a CID or signature")
        default: break
        }
    }

    /// The `jobs` row's columns.
    var columns: [String: (any DatabaseValueConvertible)?] {
        [
            "address": job.address.base58,
            "owner": job.owner.base58,
            "title": job.title,
            "code_cid": job.codeCID,
            "start_time": job.startTime,
            "slot": Int64(clamping: job.slot),
            "state": state.rawValue,
            "attempts": attempts,
            "next_attempt_at": nextAttemptAt?.timeIntervalSince1970,
            "last_error": lastError,
            "result_document": resultDocument.map { Data($0) },
            "result_cid": resultCID,
            "signature": submission?.signature.base58,
            "last_valid_block_height": submission.map { Int64(clamping: $0.lastValidBlockHeight) },
            "wire": submission.map { Data($0.wireBytes) },
            "settled_slot": settledSlot.map { Int64(clamping: $0) },
            "outcome_reason": outcomeReason,
            "result_pruned_at": resultDocumentPrunedAt?.timeIntervalSince1970,
            "created_at": createdAt.timeIntervalSince1970,
            "updated_at": updatedAt.timeIntervalSince1970,
        ]
    }

    /// The columns whose values differ from `previous` (the same job's row before an event): an update
    /// rewrites only these, so a transition does not rewrite a large result document it left unchanged.
    func changedColumns(since previous: JobRecord) -> [String: (any DatabaseValueConvertible)?] {
        var changed: [String: (any DatabaseValueConvertible)?] = [:]
        if state != previous.state { changed["state"] = state.rawValue }
        if attempts != previous.attempts { changed["attempts"] = attempts }
        if nextAttemptAt != previous.nextAttemptAt { changed["next_attempt_at"] = nextAttemptAt?.timeIntervalSince1970 }
        if lastError != previous.lastError { changed["last_error"] = lastError }
        if resultDocument != previous.resultDocument { changed["result_document"] = resultDocument.map { Data($0) } }
        if resultCID != previous.resultCID { changed["result_cid"] = resultCID }
        if submission != previous.submission {
            changed["signature"] = submission?.signature.base58
            changed["last_valid_block_height"] = submission.map { Int64(clamping: $0.lastValidBlockHeight) }
            changed["wire"] = submission.map { Data($0.wireBytes) }
        }
        if settledSlot != previous.settledSlot { changed["settled_slot"] = settledSlot.map { Int64(clamping: $0) } }
        if outcomeReason != previous.outcomeReason { changed["outcome_reason"] = outcomeReason }
        if resultDocumentPrunedAt != previous.resultDocumentPrunedAt {
            changed["result_pruned_at"] = resultDocumentPrunedAt?.timeIntervalSince1970
        }
        if createdAt != previous.createdAt { changed["created_at"] = createdAt.timeIntervalSince1970 }
        if updatedAt != previous.updatedAt { changed["updated_at"] = updatedAt.timeIntervalSince1970 }
        return changed
    }
}
