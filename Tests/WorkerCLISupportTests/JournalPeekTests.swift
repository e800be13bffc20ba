import Foundation
import Testing
import Worker
import WorkerCLISupport
import WorkerTesting

/// `show` reads a job's journal record the way the CLI does, next to a running worker, and says when the
/// retention dropped its result document.
@Suite struct JournalPeekTests {
    let harness = Harness()
    let times = JournalFixtures.RetentionTimes()

    @Test func showSaysTheDocumentWasPruned() async throws {
        let journal = try harness.openJournal()
        let settled = JournalFixtures.job(1)
        let failed = JournalFixtures.job(2)
        let kept = JournalFixtures.job(3)
        try await JournalFixtures.drive(journal, settled, to: .settled, document: times.document, at: times.old)
        try await JournalFixtures.drive(journal, failed, to: .failed, document: times.document, at: times.old)
        try await JournalFixtures.drive(journal, kept, to: .settled, document: times.document, at: times.recent)
        try await journal.pruneResultDocuments(settledBefore: times.cutoff, at: times.now)

        // `show` reads the journal the way the CLI does, next to a running worker.
        let shown = try #require(try await JournalPeek.record(for: settled.address, stateDirectory: harness.directory))
        #expect(shown.record.state == .settled && shown.transitions.count == 6)
        let lines = JournalPeek.details(shown.record)
        let labels = lines.map(\.0)
        #expect(labels.contains("signature") && labels.contains("settled slot") && !labels.contains("result size"))
        let note = try #require(lines.first { $0.0 == "result document" }?.1)
        #expect(note == "pruned after retention on 1970-01-01T02:46:40Z; the published CID is QmResult")
        #expect(labels.firstIndex(of: "result document") == labels.firstIndex(of: "result CID").map { $0 + 1 })
        let object =
            try JSONSerialization.jsonObject(
                with: Data(JournalPeek.jsonText(shown.record, transitions: shown.transitions).utf8)) as? [String: Any]
        #expect(object?["result_document_pruned_at"] as? String == "1970-01-01T02:46:40Z")
        #expect(object?["result_cid"] as? String == "QmResult")
        #expect((object?["transitions"] as? [Any])?.count == 6)

        let unpublished = try #require(try await journal.record(for: failed.address))
        #expect(JournalPeek.prunedDocumentNote(unpublished)?.hasSuffix("; it was never published") == true)

        let keptRecord = try #require(try await journal.record(for: kept.address))
        #expect(JournalPeek.prunedDocumentNote(keptRecord) == nil)
        #expect(JournalPeek.details(keptRecord).map(\.0) == JobFormatting.details(keptRecord).map(\.0))
        let keptObject =
            try JSONSerialization.jsonObject(
                with: Data(JournalPeek.jsonText(keptRecord, transitions: []).utf8)) as? [String: Any]
        #expect(keptObject?["result_document_pruned_at"] is NSNull)
    }
}
