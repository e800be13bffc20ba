import DevnetSupport
import Foundation
import Testing

/// Plays the part of a worker on the devnet: publishes a result document and completes a job with it.
enum DevnetJobs {
    /// A result document with the seed's four fields, then extras, as a worker publishes it.
    static func resultDocument(job: String, stdout: String, returnCode: Int = 0) -> String {
        let escaped = stdout.replacingOccurrences(of: "\n", with: "\\n")
        return """
            {"stdout": "\(escaped)", "stderr": "", "returncode": \(returnCode), \
            "executed_at": "2025-10-28T10:30:00.123456+00:00", "duration_ms": 7, "timed_out": false, "job": "\(job)"}
            """
    }

    /// Stores `content` on the devnet's IPFS and returns its CID.
    static func add(_ devnet: Devnet, _ content: String) async throws -> String {
        try #require(try await devnet.control("/ipfs/add", ["content": content])["cid"].string)
    }

    /// Completes `job` with `resultCID` (signed by a fresh devnet worker) and waits until a confirmed read sees it.
    static func complete(_ devnet: Devnet, job: String, resultCID: String, cost: Int = 1_000_000)
        async throws
    {
        let answer = try await devnet.control(
            "/jobs/complete", ["job": job, "result_cid": resultCID, "cost": cost])
        #expect(answer["err"] == .null, "complete_job failed: \(answer)")
        try await waitForStatus(devnet, job: job, "Completed")
    }

    /// Polls the devnet until `job` reads `status` at confirmed commitment.
    static func waitForStatus(_ devnet: Devnet, job: String, _ status: String) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let answer = try? await devnet.control("/jobs/\(job)?commitment=confirmed"),
                answer["status"].string == status
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("job \(job) did not reach \(status) at confirmed commitment")
    }
}
