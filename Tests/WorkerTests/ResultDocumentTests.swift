import Foundation
import Solana
import Testing
import WorkerTesting

@testable import Worker

@Suite struct ResultDocumentTests {
    let job = TestJobs.job(1, title: "hello", codeCID: "QmCode")
    let worker = TestJobs.key(9)

    @Test func timestampsLikePythonIsoformat() {
        #expect(Timestamp.iso8601Microseconds(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000+00:00")
        // 2025-10-28T10:30:00.123456 UTC
        #expect(
            Timestamp.iso8601Microseconds(Date(timeIntervalSince1970: 1_761_647_400.123456))
                == "2025-10-28T10:30:00.123456+00:00")
        #expect(
            Timestamp.iso8601Microseconds(Date(timeIntervalSince1970: 951_782_400))
                == "2000-02-29T00:00:00.000000+00:00")
        #expect(Timestamp.iso8601Microseconds(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000000+00:00")
    }

    @Test func exactBytesAndKeyOrder() {
        let report = ExecutionReport(stdout: "Hello from CloudMesh!\n", stderr: "", returnCode: 0, wallTime: 0.0125)
        let document = ResultDocument(
            report: report, executedAt: Date(timeIntervalSince1970: 1_761_647_400.5), job: job, worker: worker)
        let expected =
            #"{"stdout": "Hello from CloudMesh!\n", "stderr": "", "returncode": 0, "executed_at": "2025-10-28T10:30:00.500000+00:00", "#
            + #""duration_ms": 13, "timed_out": false, "stdout_truncated": false, "stderr_truncated": false, "#
            + #""job": "\#(job.address.base58)", "code_cid": "QmCode", "worker": "\#(worker.base58)"}"#
        #expect(String(decoding: document.bytes, as: UTF8.self) == expected)
        // Any JSON parser reads it back.
        let parsed = try? JSONSerialization.jsonObject(with: Data(document.bytes)) as? [String: Any]
        #expect(parsed?["stdout"] as? String == "Hello from CloudMesh!\n")
        #expect(parsed?["returncode"] as? Int == 0)
    }

    @Test func escapingLikeJsonDumpsEnsureAsciiFalse() {
        let text = "quote\" back\\ nl\n cr\r tab\t bs\u{8} ff\u{c} nul\u{0} esc\u{1b} del\u{7f} é 日本 🎉"
        let bytes = OrderedJSON.string(text).bytes
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #""quote\" back\\ nl\n cr\r tab\t bs\b ff\f nul\u0000 esc\u001b del\#u{7f} é 日本 🎉""#)
        let roundTrip = try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? String
        #expect(roundTrip == text)
    }

    @Test func negativeReturnCodeAndFlags() {
        let report = ExecutionReport(
            stdout: "x", stderr: "killed", returnCode: -9, timedOut: true, wallTime: 60, stdoutTruncated: true)
        let json = String(
            decoding: ResultDocument(
                report: report, executedAt: Date(timeIntervalSince1970: 0), job: job, worker: worker
            ).bytes, as: UTF8.self)
        #expect(json.contains(#""returncode": -9, "#))
        #expect(
            json.contains(
                #""duration_ms": 60000, "timed_out": true, "stdout_truncated": true, "stderr_truncated": false"#))
    }

    @Test func errorDocumentForInvalidInput() {
        let document = ResultDocument(
            invalidInput: "the code CID x cannot be parsed", at: Date(timeIntervalSince1970: 0), job: job,
            worker: worker)
        let json = String(decoding: document.bytes, as: UTF8.self)
        #expect(
            json.hasPrefix(
                #"{"stdout": "", "stderr": "CloudMesh worker: the job was not run: the code CID x cannot be parsed\n", "returncode": -1, "executed_at": "1970-01-01T00:00:00.000000+00:00", "#
            ))
        #expect(json.hasSuffix(#""error": "the code CID x cannot be parsed"}"#))
    }
}
