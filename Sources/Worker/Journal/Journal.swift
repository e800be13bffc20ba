import Foundation
import GRDB
import Solana

/// The worker's memory across crashes: one row per job and an append-only log of transitions, in SQLite
/// (WAL mode, busy timeout) under `STATE_DIR`.
///
/// Every ``apply(_:to:at:)`` commits the new state and its transition row in one transaction before it
/// returns, so callers commit each step before taking the next external effect.
public final class Journal: Sendable {
    /// The file name of the database inside the state directory.
    public static let fileName = "journal.sqlite"

    /// The database file's path.
    package let path: String
    /// The connections (one writer, concurrent readers).
    let database: DatabasePool

    /// Opens (creating if needed) the journal in `directory`, and migrates it to the current schema.
    public init(directory: String, busyTimeout: TimeInterval = 5) throws(JournalError) {
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw JournalError(
                kind: Self.isOutOfSpace(error) ? .diskFull : .unwritable, path: path,
                detail: "cannot create \(directory): \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "cloudmesh-journal"
        do {
            database = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw Self.journalError(error, path: path)
        }
    }

    /// Closes the database; later calls fail with ``JournalError``.
    public func close() throws(JournalError) {
        do {
            try database.close()
        } catch {
            throw Self.journalError(error, path: path)
        }
    }

    /// The names of the migrations applied, oldest first.
    package func appliedMigrations() async throws(JournalError) -> [String] {
        try await read { db in try Self.migrator.appliedIdentifiers(db).sorted() }
    }

    /// The job's row, if any.
    public func record(for address: PublicKey) async throws(JournalError) -> JobRecord? {
        let path = path
        return try await read { db in
            try Row.fetchOne(try db.cachedStatement(sql: Self.selectJob), arguments: [address.base58])
                .map { row in try JobRecord(row: row, path: path) }
        }
    }

    /// The job's row, inserted as `discovered` when it has none yet.
    package func begin(_ job: PendingJob, at date: Date) async throws(JournalError) -> JobRecord {
        let path = path
        return try await write { db in
            if let row = try Row.fetchOne(try db.cachedStatement(sql: Self.selectJob), arguments: [job.address.base58])
            {
                return try JobRecord(row: row, path: path)
            }
            let record = JobRecord(discovered: job, at: date)
            try Self.insert(record, in: db)
            try Self.logTransition(
                address: job.address, from: nil, to: .discovered, event: "discovered", detail: nil, at: date, in: db)
            return record
        }
    }

    /// Records `event` for the job at `address` and returns the new row; refuses events its state does not
    /// allow (``JournalError/Kind/invalidTransition``).
    @discardableResult
    package func apply(_ event: JobEvent, to address: PublicKey, at date: Date) async throws(JournalError) -> JobRecord
    {
        let path = path
        return try await write { db in try Self.apply(event, to: address, at: date, path: path, in: db) }
    }

    /// Records `event` for every job in `addresses` in one write transaction (all or none), returning the new
    /// rows in order; e.g. one complete_job transaction covering several jobs.
    @discardableResult
    package func apply(_ event: JobEvent, toEach addresses: [PublicKey], at date: Date) async throws(JournalError)
        -> [JobRecord]
    {
        let path = path
        return try await write { db in
            try addresses.map { address in try Self.apply(event, to: address, at: date, path: path, in: db) }
        }
    }

    /// The jobs whose journaled complete_job transaction is `signature` (the jobs a batch covers).
    package func jobs(coveredBy signature: Signature) async throws(JournalError) -> [PublicKey] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT address FROM jobs WHERE signature = ? ORDER BY address", arguments: [signature.base58]
            ).compactMap { try? PublicKey(base58: $0) }
        }
    }

    /// Every job not in a terminal state, oldest first, each with its result document, all at once.
    ///
    /// Memory grows with the journal; a start-up resumes with ``unfinishedJobs(after:limit:)`` instead, a page
    /// at a time. Kept for tests and small tools.
    package func unfinished() async throws(JournalError) -> [JobRecord] {
        let path = path
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM jobs WHERE \(Self.unfinishedCondition) ORDER BY start_time, address"
            ).map { row in try JobRecord(row: row, path: path) }
        }
    }

    /// The transitions recorded for a job, oldest first.
    public func transitions(for address: PublicKey) async throws(JournalError) -> [JobTransition] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM transitions WHERE address = ? ORDER BY id", arguments: [address.base58]
            ).map { row in
                JobTransition(
                    from: (row["from_state"] as String?).flatMap(JobState.init(rawValue:)),
                    to: JobState(rawValue: row["to_state"] ?? "") ?? .failed,
                    event: row["event"] ?? "", detail: row["detail"],
                    at: Date(timeIntervalSince1970: row["at"] ?? 0))
            }
        }
    }

    /// Whether a write transaction can be committed now (for `/healthz`), with room for `probeBytes` more bytes:
    /// ``checkWritable(reserving:)`` without the error.
    package func isWritable(probeBytes: Int = Journal.healthProbeBytes) async -> Bool {
        do {
            try await checkWritable(reserving: probeBytes)
            return true
        } catch {
            return false
        }
    }

    // MARK: - SQL

    /// One job's row (statements are prepared once per connection and reused).
    private static let selectJob = "SELECT * FROM jobs WHERE address = ?"

    private static func apply(_ event: JobEvent, to address: PublicKey, at date: Date, path: String, in db: Database)
        throws -> JobRecord
    {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: selectJob), arguments: [address.base58]) else {
            throw JournalError(kind: .invalidTransition, path: path, detail: "no job \(address) in the journal")
        }
        let previous = try JobRecord(row: row, path: path)
        var record = previous
        do {
            try record.apply(event, at: date)
        } catch {
            throw JournalError(kind: .invalidTransition, path: path, detail: "\(address): \(error)")
        }
        try update(record, since: previous, in: db)
        try logTransition(
            address: address, from: previous.state, to: record.state, event: event.name, detail: detail(of: event),
            at: date, in: db)
        return record
    }

    /// Inserts `record` as a new row in `db`, without a transition.
    package static func insert(_ record: JobRecord, in db: Database) throws {
        let columns = record.columns
        let names = columns.keys.sorted()
        let sql =
            "INSERT INTO jobs (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
        try db.execute(sql: sql, arguments: StatementArguments(names.map { columns[$0] ?? nil }))
    }

    /// Writes the columns of `record` that differ from `previous`, the row it was read as.
    private static func update(_ record: JobRecord, since previous: JobRecord, in db: Database) throws {
        let columns = record.changedColumns(since: previous)
        guard !columns.isEmpty else { return }
        let names = columns.keys.sorted()
        let statement = try db.cachedStatement(
            sql: "UPDATE jobs SET \(names.map { "\($0) = ?" }.joined(separator: ", ")) WHERE address = ?")
        let values: [(any DatabaseValueConvertible)?] = names.map { columns[$0] ?? nil } + [record.job.address.base58]
        try statement.execute(arguments: StatementArguments(values))
    }

    private static func logTransition(
        address: PublicKey, from: JobState?, to: JobState, event: String, detail: String?, at date: Date,
        in db: Database
    ) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO transitions (address, from_state, to_state, event, detail, at) VALUES (?, ?, ?, ?, ?, ?)")
        try statement.execute(
            arguments: [address.base58, from?.rawValue, to.rawValue, event, detail, date.timeIntervalSince1970])
    }

    private static func detail(of event: JobEvent) -> String? {
        switch event {
        case .started, .expired: nil
        case .executed(let document): "\(document.count) bytes"
        case .published(let cid): cid
        case .submitted(let transaction): "\(transaction.signature) lvbh \(transaction.lastValidBlockHeight)"
        case .settled(let signature, let slot):
            "\(signature?.base58 ?? "observed on-chain") slot \(slot.map(String.init) ?? "?")"
        case .lostRace(let reason), .cancelled(let reason), .failed(let reason): reason
        case .transientFailure(let message, _): message
        }
    }

    /// Runs `body` on a reader, naming any failure.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(JournalError) -> T {
        do {
            return try await database.read(body)
        } catch {
            throw Self.journalError(error, path: path)
        }
    }

    /// Runs `body` in one write transaction, naming any failure; a failed transaction changes nothing.
    package func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(JournalError) -> T
    {
        do {
            return try await database.write(body)
        } catch {
            throw Self.journalError(error, path: path)
        }
    }
}

/// One row of the append-only transitions table.
public struct JobTransition: Sendable, Hashable {
    /// The state before (nil for the first row).
    public var from: JobState?
    /// The state after.
    public var to: JobState
    /// The event's name.
    public var event: String
    /// The event's detail (CID, signature, reason).
    public var detail: String?
    /// When it was recorded.
    public var at: Date
}
