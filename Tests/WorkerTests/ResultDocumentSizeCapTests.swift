import Foundation
import Solana
import Testing
import WorkerTesting

@testable import Worker

/// Hostile output cannot make a result document larger than its cap (`MAX_RESULT_BYTES`).
@Suite struct ResultDocumentSizeCapTests {
    let job = TestJobs.job(1, title: "flood", codeCID: "QmCode")
    let worker = TestJobs.key(9)
    let date = Date(timeIntervalSince1970: 0)

    func document(stdout: String, stderr: String = "", maxBytes: Int, returnCode: Int = 0) -> ResultDocument {
        ResultDocument(
            report: ExecutionReport(stdout: stdout, stderr: stderr, returnCode: returnCode), executedAt: date,
            job: job, worker: worker, maxBytes: maxBytes)
    }

    /// The encoded size of the document without any output.
    var skeletonBytes: Int { document(stdout: "", maxBytes: .max).bytes.count }

    func parsed(_ document: ResultDocument) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(document.bytes)) as? [String: Any])
    }

    @Test func defaultCapFitsTheDefaultOutputLimit() {
        #expect(ResultDocument.defaultMaxBytes == 4_259_840)
        #expect(ResultDocument.defaultMaxBytes(maxOutputBytes: 1_048_576) == ResultDocument.defaultMaxBytes)
        #expect(ResultDocument.defaultMaxBytes(maxOutputBytes: .max) == .max)
        #expect(ResultDocument.defaultMaxBytes(maxOutputBytes: -1) == 65_536)
        // Full-size ordinary output (every byte a newline, which doubles) is never cut by the default cap.
        let newlines = String(repeating: "\n", count: 1_048_576)
        let full = document(stdout: newlines, stderr: newlines, maxBytes: ResultDocument.defaultMaxBytes)
        #expect(full.stdout == newlines && full.stderr == newlines)
        #expect(!full.stdoutTruncated && !full.stderrTruncated)
    }

    @Test func nulFloodIsCutToValidJSONWithFlagsSet() throws {
        let flood = String(repeating: "\u{0}", count: 1_048_576)
        let uncapped = document(stdout: flood, stderr: flood, maxBytes: .max)
        #expect(uncapped.bytes.count > 12_000_000, "6 bytes per NUL without the cap")
        let capped = document(stdout: flood, stderr: flood, maxBytes: ResultDocument.defaultMaxBytes)
        let bytes = capped.bytes
        #expect(bytes.count <= ResultDocument.defaultMaxBytes)
        #expect(bytes.count >= ResultDocument.defaultMaxBytes - 12, "the room is used, to within two characters")
        #expect(capped.stdoutTruncated && capped.stderrTruncated)
        let object = try parsed(capped)
        let stdout = try #require(object["stdout"] as? String)
        let stderr = try #require(object["stderr"] as? String)
        #expect(abs(stdout.utf8.count - stderr.utf8.count) <= 1, "the room is shared fairly")
        #expect(stdout.utf8.allSatisfy { $0 == 0 } && stdout.utf8.count > 350_000)
        #expect(object["returncode"] as? Int == 0)
        #expect(object["executed_at"] as? String == "1970-01-01T00:00:00.000000+00:00")
        #expect(object["stdout_truncated"] as? Bool == true && object["stderr_truncated"] as? Bool == true)
        #expect(object["job"] as? String == job.address.base58 && object["worker"] as? String == worker.base58)
        // Field order and byte format are those of an uncut document.
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"stdout": "\u0000\u0000"#))
        #expect(text.contains(#"\u0000", "stderr": "\u0000"#))
        #expect(
            text.hasSuffix(
                #"\u0000", "returncode": 0, "executed_at": "1970-01-01T00:00:00.000000+00:00", "duration_ms": 0, "#
                    + #""timed_out": false, "stdout_truncated": true, "stderr_truncated": true, "#
                    + #""job": "\#(job.address.base58)", "code_cid": "QmCode", "worker": "\#(worker.base58)"}"#))
    }

    @Test func whatOneStreamDoesNotNeedGoesToTheOther() throws {
        let cap = skeletonBytes + 1_000
        let capped = document(stdout: String(repeating: "\u{1}", count: 10_000), stderr: "Traceback\n", maxBytes: cap)
        #expect(capped.stderr == "Traceback\n" && !capped.stderrTruncated)
        #expect(capped.stdoutTruncated)
        #expect(capped.stdout.utf8.count == (1_000 - 11) / 6)
        #expect(capped.bytes.count <= cap && capped.bytes.count >= cap - 12)
        _ = try parsed(capped)
        // Flipped: stdout small, stderr flooded.
        let flipped = document(stdout: "42\n", stderr: String(repeating: "\"", count: 10_000), maxBytes: cap)
        #expect(flipped.stdout == "42\n" && !flipped.stdoutTruncated && flipped.stderrTruncated)
        #expect(flipped.stderr.utf8.count == (1_000 - 4) / 2)
    }

    @Test func cutsOnCharacterBoundaries() throws {
        let accented = String(repeating: "e\u{301}", count: 100)  // 3 UTF-8 bytes per character
        let capped = document(stdout: accented, maxBytes: skeletonBytes + 10)
        #expect(capped.stdout == String(repeating: "e\u{301}", count: 3))
        #expect(capped.stdoutTruncated && !capped.stderrTruncated)
        let flags = String(repeating: "🇫🇷", count: 10)  // 8 bytes per character
        let cut = document(stdout: flags, maxBytes: skeletonBytes + 20)
        #expect(cut.stdout == "🇫🇷🇫🇷")
        let crlf = String(repeating: "\r\n", count: 10)  // one character, written as 4 bytes
        #expect(document(stdout: crlf, maxBytes: skeletonBytes + 7).stdout == "\r\n")
        _ = try parsed(cut)
    }

    @Test func documentsUnderTheCapAreUnchanged() {
        let report = ExecutionReport(
            stdout: "x\u{0}y", stderr: "", returnCode: 1, stdoutTruncated: true, stderrTruncated: false)
        let capped = ResultDocument(
            report: report, executedAt: date, job: job, worker: worker, maxBytes: skeletonBytes + 8)
        let uncapped = ResultDocument(report: report, executedAt: date, job: job, worker: worker, maxBytes: .max)
        #expect(capped == uncapped)
        #expect(capped.stdoutTruncated && !capped.stderrTruncated, "the sandbox's own flags are kept")
    }

    @Test func aCapSmallerThanTheOtherFieldsLeavesThemWhole() throws {
        let capped = document(stdout: "out", stderr: "err", maxBytes: 10)
        #expect(capped.stdout.isEmpty && capped.stderr.isEmpty)
        #expect(capped.stdoutTruncated && capped.stderrTruncated)
        let object = try parsed(capped)
        #expect(object.keys.count == 11)
        #expect(object["code_cid"] as? String == "QmCode")
    }

    @Test func errorDocumentsAreCappedToo() throws {
        let reason = "the code CID " + String(repeating: "\u{7}", count: 5_000) + " cannot be parsed"
        let capped = ResultDocument(invalidInput: reason, at: date, job: job, worker: worker, maxBytes: 40_000)
        #expect(capped.bytes.count <= 40_000)
        #expect(capped.stderrTruncated && !capped.stdoutTruncated)
        #expect(capped.error == reason, "the error field is kept whole")
        #expect(try parsed(capped)["returncode"] as? Int == -1)
    }
}
