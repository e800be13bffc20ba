import CloudMesh
import Foundation
import Solana
import Worker

/// Renders jobs for people (aligned tables, labelled fields) and for scripts (JSON). Strings read from the
/// chain are untrusted: control characters are replaced before they reach a terminal.
public enum JobFormatting {
    /// `s` with control characters (escape sequences, newlines) replaced by `?`.
    public static func sanitize(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }

    /// The SOL text of a cost, `-` when none was charged yet.
    static func costText(_ job: Job) -> String {
        job.cost == 0 ? "-" : Lamports.solText(job.cost)
    }

    /// An aligned table: address, title, status, owner, cost (SOL), result CID; one row per job.
    public static func table(_ listings: [JobListing]) -> String {
        let header = ["ADDRESS", "TITLE", "STATUS", "OWNER", "COST (SOL)", "RESULT CID"]
        let rows = listings.map { listing in
            let job = listing.job
            return [
                listing.address.base58, sanitize(job.title), job.status.description, job.owner.base58,
                costText(job), job.resultCID.isEmpty ? "-" : sanitize(job.resultCID),
            ]
        }
        return alignedRows([header] + rows).joined(separator: "\n")
    }

    /// Rows of cells padded to the widest cell of each column, two spaces apart (the last column unpadded).
    public static func alignedRows(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1
                    ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }
    }

    /// Every field of a job as JSON, the address first; `cost` in lamports, times in unix seconds.
    public static func json(_ listing: JobListing) -> OrderedJSON {
        let job = listing.job
        return .object([
            ("address", .string(listing.address.base58)),
            ("title", .string(job.title)),
            ("status", .string(job.status.description)),
            ("job_type", .string(job.jobType.description)),
            ("owner", .string(job.owner.base58)),
            ("code_cid", .string(job.codeCID)),
            ("result_cid", job.resultCID.isEmpty ? .null : .string(job.resultCID)),
            ("start_time", .integer(job.startTime)),
            ("end_time", .integer(job.endTime)),
            ("cost", .integer(Int64(clamping: job.cost))),
            ("cost_paid", .bool(job.costPaid)),
            ("bump", .integer(Int64(job.bump))),
        ])
    }

    /// A JSON array of ``json(_:)`` objects, one per line.
    public static func jsonArray(_ listings: [JobListing]) -> String {
        guard !listings.isEmpty else { return "[]" }
        let items = listings.map { "  " + String(decoding: json($0).bytes, as: UTF8.self) }
        return "[\n" + items.joined(separator: ",\n") + "\n]"
    }

    /// Labelled lines for every field of a job.
    public static func details(_ listing: JobListing, program: PublicKey) -> [(String, String)] {
        let job = listing.job
        return [
            ("job", listing.address.base58),
            ("title", sanitize(job.title)),
            ("status", job.status.description),
            ("type", job.jobType.description),
            ("owner", job.owner.base58),
            ("code CID", sanitize(job.codeCID)),
            ("result CID", job.resultCID.isEmpty ? "- (none yet)" : sanitize(job.resultCID)),
            ("created", timeText(job.startTime)),
            ("ended", job.endTime == 0 ? "-" : timeText(job.endTime)),
            ("cost", job.cost == 0 ? "-" : "\(Lamports.solText(job.cost)) SOL (\(job.cost) lamports)"),
            ("cost paid", job.costPaid ? "yes" : "no"),
            ("bump", "\(job.bump)"),
            ("program", program.base58),
        ]
    }

    /// Labelled lines for this worker's journal record of a job.
    public static func details(_ record: JobRecord) -> [(String, String)] {
        var lines: [(String, String)] = [
            ("state", record.state.rawValue),
            ("attempts", "\(record.attempts)"),
        ]
        if let error = record.lastError { lines.append(("last error", sanitize(error))) }
        if let next = record.nextAttemptAt { lines.append(("next attempt", timeText(next))) }
        if let cid = record.resultCID { lines.append(("result CID", cid)) }
        if let document = record.resultDocument {
            lines.append(("result size", "\(document.count) bytes"))
        }
        if let submission = record.submission {
            lines.append(("signature", submission.signature.base58))
        }
        if let slot = record.settledSlot { lines.append(("settled slot", "\(slot)")) }
        if let reason = record.outcomeReason { lines.append(("outcome", sanitize(reason))) }
        lines.append(("first seen", timeText(record.createdAt)))
        lines.append(("updated", timeText(record.updatedAt)))
        return lines
    }

    /// One line per recorded transition: `<time>  <from> → <to> [<event>] (<detail>)`.
    public static func lines(_ transitions: [JobTransition]) -> [String] {
        transitions.map { transition in
            let detail = transition.detail.map { " (\(sanitize($0)))" } ?? ""
            return
                "\(timeText(transition.at))  \(transition.from?.rawValue ?? "-") → \(transition.to.rawValue) "
                + "[\(transition.event)]\(detail)"
        }
    }

    /// The journal record as JSON text, its transitions in an array (the result document itself is left out;
    /// `result` fetches it).
    public static func jsonText(_ record: JobRecord, transitions: [JobTransition]) -> String {
        func optional(_ text: String?) -> OrderedJSON { text.map { .string($0) } ?? .null }
        let fields = OrderedJSON.object([
            ("state", .string(record.state.rawValue)),
            ("attempts", .integer(Int64(record.attempts))),
            ("last_error", optional(record.lastError)),
            ("next_attempt_at", optional(record.nextAttemptAt.map(timeText))),
            ("result_cid", optional(record.resultCID)),
            ("signature", optional(record.submission?.signature.base58)),
            ("settled_slot", record.settledSlot.map { .integer(Int64(clamping: $0)) } ?? .null),
            ("outcome_reason", optional(record.outcomeReason)),
            ("created_at", .string(timeText(record.createdAt))),
            ("updated_at", .string(timeText(record.updatedAt))),
        ])
        let steps = transitions.map { transition in
            String(
                decoding: OrderedJSON.object([
                    ("at", .string(timeText(transition.at))),
                    ("from", optional(transition.from?.rawValue)),
                    ("to", .string(transition.to.rawValue)),
                    ("event", .string(transition.event)),
                    ("detail", optional(transition.detail)),
                ]).bytes, as: UTF8.self)
        }
        let text = String(decoding: fields.bytes, as: UTF8.self)
        return String(text.dropLast()) + ", \"transitions\": [" + steps.joined(separator: ", ") + "]}"
    }

    /// `2025-10-28T10:30:00Z` for unix seconds.
    public static func timeText(_ seconds: Int64) -> String {
        timeText(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// `2025-10-28T10:30:00Z`.
    public static func timeText(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
