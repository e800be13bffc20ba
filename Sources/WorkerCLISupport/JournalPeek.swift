import Foundation
import Solana
import Worker

/// Reads one job's record from a worker's journal without creating a journal where there is none, and words it
/// for `show`.
public enum JournalPeek {
    /// The record and transitions of `address` in the journal under `stateDirectory`; nil when that directory
    /// has no journal or the journal has no row for the job.
    public static func record(for address: PublicKey, stateDirectory: String)
        async throws(JournalError)
        -> (record: JobRecord, transitions: [JobTransition])?
    {
        let path = (stateDirectory as NSString).appendingPathComponent(Journal.fileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let journal = try Journal(directory: stateDirectory)
        defer { try? journal.close() }
        guard let record = try await journal.record(for: address) else { return nil }
        return (record, try await journal.transitions(for: address))
    }

    /// What `show` says of a record whose result document the retention dropped, or nil when it was not:
    /// "pruned after retention on <date>; the published CID is <cid>" (or "; it was never published").
    public static func prunedDocumentNote(_ record: JobRecord) -> String? {
        guard let prunedAt = record.resultDocumentPrunedAt else { return nil }
        let published = record.resultCID.map { "the published CID is \($0)" } ?? "it was never published"
        return "pruned after retention on \(JobFormatting.timeText(prunedAt)); \(published)"
    }

    /// `JobFormatting.details(_:)` of the record plus, after the result CID, a "result document" line when the
    /// retention dropped the document.
    public static func details(_ record: JobRecord) -> [(String, String)] {
        var lines = JobFormatting.details(record)
        guard let note = prunedDocumentNote(record) else { return lines }
        let position =
            (lines.firstIndex { $0.0 == "result CID" } ?? lines.firstIndex { $0.0 == "attempts" })
            .map { $0 + 1 } ?? lines.endIndex
        lines.insert(("result document", note), at: position)
        return lines
    }

    /// `JobFormatting.jsonText(_:transitions:)` plus `"result_document_pruned_at"` (an ISO time, or null while
    /// the document is kept, or when the journal has none).
    public static func jsonText(_ record: JobRecord, transitions: [JobTransition]) -> String {
        let text = JobFormatting.jsonText(record, transitions: transitions)
        guard text.hasSuffix("}") else { return text }
        let prunedAt = record.resultDocumentPrunedAt.map { "\"\(JobFormatting.timeText($0))\"" } ?? "null"
        return String(text.dropLast()) + ", \"result_document_pruned_at\": \(prunedAt)}"
    }
}
