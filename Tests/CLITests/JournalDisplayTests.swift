import DevnetSupport
import Foundation
import Testing

/// `show` prints this worker's journal record of a job.
@Suite(.endToEnd) struct JournalDisplayTests {
    /// Writes a journal as the worker's schema (GRDB migration "v1: jobs and transitions") lays it out, with one
    /// settled job and its transitions, using Python's sqlite3 (the test target does not link the worker).
    static func writeJournal(directory: String, job: String, owner: String, resultCID: String) throws {
        let script = """
            import sqlite3, sys, os
            os.makedirs(sys.argv[1], exist_ok=True)
            db = sqlite3.connect(os.path.join(sys.argv[1], "journal.sqlite"))
            db.executescript('''
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('v1: jobs and transitions');
            CREATE TABLE jobs (address TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL,
              code_cid TEXT NOT NULL, start_time INTEGER NOT NULL, slot INTEGER NOT NULL, state TEXT NOT NULL,
              attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at DOUBLE, last_error TEXT, result_document BLOB,
              result_cid TEXT, signature TEXT, last_valid_block_height INTEGER, wire BLOB, settled_slot INTEGER,
              outcome_reason TEXT, created_at DOUBLE NOT NULL, updated_at DOUBLE NOT NULL);
            CREATE INDEX jobs_state ON jobs(state);
            CREATE TABLE transitions (id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT NOT NULL, from_state TEXT,
              to_state TEXT NOT NULL, event TEXT NOT NULL, detail TEXT, at DOUBLE NOT NULL);
            CREATE INDEX transitions_address ON transitions(address);
            ''')
            job, owner, cid = sys.argv[2], sys.argv[3], sys.argv[4]
            db.execute("INSERT INTO jobs (address, owner, title, code_cid, start_time, slot, state, attempts, "
                       "result_document, result_cid, settled_slot, created_at, updated_at) "
                       "VALUES (?, ?, 'journaled', 'QmCode', 1, 40, 'settled', 0, ?, ?, 77, 1761647400, 1761647401)",
                       (job, owner, b'{}', cid))
            for i, (a, b, e, d) in enumerate([(None, 'discovered', 'discovered', None), ('discovered', 'running', 'started', None),
                    ('running', 'executed', 'executed', '2 bytes'), ('executed', 'published', 'published', cid),
                    ('published', 'settled', 'settled', 'observed on-chain slot 77')]):
                db.execute("INSERT INTO transitions (address, from_state, to_state, event, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
                           (job, a, b, e, d, 1761647400 + i * 0.1))
            db.commit()
            """
        let process = Process()
        let python =
            ProcessInfo.processInfo.environment["CLOUDMESH_DEVNET_PYTHON"]
            ?? Devnet.repositoryRoot.appendingPathComponent(".venv/bin/python").path
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, directory, job, owner, resultCID]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func showIncludesTheJournalRecordWhenStateDirHasOne() async throws {
        let devnet = try await Devnet.shared()
        let cli = try CLI(devnet: devnet)
        defer { cli.cleanUp() }
        let created = try await devnet.control("/jobs", ["title": "journaled", "code": "print(5)"])
        let job = try #require(created["job"].string)
        try await DevnetJobs.waitForStatus(devnet, job: job, "Pending")
        let owner = try #require(created["owner"].string)
        let resultCID = try await DevnetJobs.add(
            devnet, DevnetJobs.resultDocument(job: job, stdout: "5\n"))
        try await DevnetJobs.complete(devnet, job: job, resultCID: resultCID)
        try Self.writeJournal(
            directory: try #require(cli.environment["STATE_DIR"]), job: job, owner: owner,
            resultCID: resultCID)

        let shown = try await cli.run(["show", job])
        #expect(shown.status == 0, "\(shown)")
        #expect(shown.stdout.contains("this worker's journal"), "\(shown)")
        let lines = shown.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("state ") && $0.hasSuffix(" settled") }, "\(shown)")
        #expect(lines.contains { $0.hasPrefix("settled slot ") && $0.hasSuffix(" 77") }, "\(shown)")
        #expect(shown.stdout.contains("executed → published [published] (\(resultCID))"), "\(shown)")

        let json = try await cli.run(["show", job, "--json"])
        #expect(json.status == 0, "\(json)")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let journal = try #require(object?["journal"] as? [String: Any])
        #expect(journal["state"] as? String == "settled")
        #expect((journal["transitions"] as? [Any])?.count == 5)
        #expect((object?["job"] as? [String: Any])?["status"] as? String == "completed")
    }
}
