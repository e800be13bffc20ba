import Foundation
import Redaction
import Solana

/// The JSON document published to IPFS as a job's result.
///
/// The seed's four fields come first, in this order: `stdout`, `stderr`, `returncode`, `executed_at`; then
/// `duration_ms`, `timed_out`, `stdout_truncated`, `stderr_truncated`, `job`, `code_cid`, `worker`; for a job
/// that declared PEP 723 dependencies, `dependencies` (the resolved `name==version` list, in order); and, for
/// jobs whose own input is invalid, `error`. The bytes are those of Python's
/// `json.dumps(document, ensure_ascii=False)` (see ``OrderedJSON``).
package struct ResultDocument: Sendable, Hashable {
    /// The `returncode` of an error document: the job's code never ran.
    package static let invalidInputReturnCode = -1

    /// Captured standard output.
    package var stdout: String
    /// Captured standard error (the explanation, for an error document).
    package var stderr: String
    /// The exit status (negative signal number when killed); ``invalidInputReturnCode`` when not run.
    package var returnCode: Int
    /// When the run finished (or the job was rejected).
    package var executedAt: Date
    /// Wall time of the run in milliseconds.
    package var durationMilliseconds: Int64
    /// Whether the time limit killed the run.
    package var timedOut: Bool
    /// Whether stdout was cut.
    package var stdoutTruncated: Bool
    /// Whether stderr was cut.
    package var stderrTruncated: Bool
    /// The job account.
    package var job: PublicKey
    /// The code CID the job named.
    package var codeCID: String
    /// The worker that ran it.
    package var worker: PublicKey
    /// Why the job could not be run, for error documents.
    package var error: String?
    /// The resolved `name==version` of every package the job ran with, for a job that declared PEP 723
    /// dependencies; nil for one that declared none.
    package var dependencies: [String]?

    /// The document of a run, cut to at most `maxBytes` encoded bytes (see ``capEncodedSize(to:)``).
    package init(
        report: ExecutionReport, executedAt: Date, job: PendingJob, worker: PublicKey, dependencies: [String]? = nil,
        maxBytes: Int = ResultDocument.defaultMaxBytes
    ) {
        self.stdout = report.stdout
        self.stderr = report.stderr
        self.returnCode = report.returnCode
        self.executedAt = executedAt
        self.durationMilliseconds = Int64((max(0, report.wallTime) * 1000).rounded())
        self.timedOut = report.timedOut
        self.stdoutTruncated = report.stdoutTruncated
        self.stderrTruncated = report.stderrTruncated
        self.job = job.address
        self.codeCID = job.codeCID
        self.worker = worker
        self.error = nil
        self.dependencies = dependencies
        capEncodedSize(to: maxBytes)
    }

    /// The document answering a job whose own input is invalid: stdout empty, stderr and `error` explaining,
    /// `returncode` ``invalidInputReturnCode``. Credentials in URLs in `reason` (a gateway's, say) are replaced
    /// by `REDACTED`: the document is public. Cut to at most `maxBytes` encoded bytes like a run's.
    package init(
        invalidInput reason: String, at date: Date, job: PendingJob, worker: PublicKey,
        maxBytes: Int = ResultDocument.defaultMaxBytes
    ) {
        let reason = CredentialRedaction.redact(reason)
        self.stdout = ""
        self.stderr = "CloudMesh worker: the job was not run: \(reason)\n"
        self.returnCode = Self.invalidInputReturnCode
        self.executedAt = date
        self.durationMilliseconds = 0
        self.timedOut = false
        self.stdoutTruncated = false
        self.stderrTruncated = false
        self.job = job.address
        self.codeCID = job.codeCID
        self.worker = worker
        self.error = reason
        capEncodedSize(to: maxBytes)
    }

    /// The document as ordered JSON.
    package var json: OrderedJSON {
        var members: [(String, OrderedJSON)] = [
            ("stdout", .string(stdout)),
            ("stderr", .string(stderr)),
            ("returncode", .integer(Int64(returnCode))),
            ("executed_at", .string(Timestamp.iso8601Microseconds(executedAt))),
            ("duration_ms", .integer(durationMilliseconds)),
            ("timed_out", .bool(timedOut)),
            ("stdout_truncated", .bool(stdoutTruncated)),
            ("stderr_truncated", .bool(stderrTruncated)),
            ("job", .string(job.base58)),
            ("code_cid", .string(codeCID)),
            ("worker", .string(worker.base58)),
        ]
        if let dependencies { members.append(("dependencies", .array(dependencies.map { .string($0) }))) }
        if let error { members.append(("error", .string(error))) }
        return .object(members)
    }

    /// The bytes published.
    package var bytes: [UInt8] { json.bytes }
}
