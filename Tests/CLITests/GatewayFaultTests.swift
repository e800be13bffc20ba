import DevnetSupport
import Foundation
import Testing

/// Content that does not verify is never shown (its own devnet: a fault is injected).
@Suite(.endToEnd) struct GatewayFaultTests {
    @Test func aCorruptedResultIsRefused() async throws {
        try await Devnet.with { devnet in
            let cli = try CLI(devnet: devnet)
            defer { cli.cleanUp() }
            let created = try await devnet.control("/jobs", ["title": "corrupt", "code": "print(6)"])
            let job = try #require(created["job"].string)
            let resultCID = try await DevnetJobs.add(
                devnet, DevnetJobs.resultDocument(job: job, stdout: "6\n"))
            try await DevnetJobs.complete(devnet, job: job, resultCID: resultCID)
            try await devnet.control("/faults/gateway", ["mode": "corrupt", "cid": resultCID])

            let output = try await cli.run(["result", job])
            #expect(output.status == 1, "\(output)")
            #expect(output.stderr.contains("could not retrieve \(resultCID)"), "\(output)")
            #expect(output.stderr.contains("never shown"), "\(output)")
            #expect(!output.stdout.contains("--- stdout ---"))

            try await devnet.control("/reset")
            let healed = try await cli.run(["result", job])
            #expect(healed.status == 0 && healed.stdout.contains("--- stdout ---\n6\n"), "\(healed)")
        }
    }
}
