import DevnetSupport
import Testing

@Suite(.endToEnd) struct DevnetSmokeTests {
    @Test func devnetStartsAndAnswersControlCalls() async throws {
        try await Devnet.with { devnet in
            let status = try await devnet.control("/status")
            #expect(status["rpc_url"].string == devnet.endpoints.rpcURL)
            let job = try await devnet.control("/jobs", ["title": "smoke", "code": "print(1)"])
            #expect(job["err"] == .null)
            #expect(job["job"].string?.isEmpty == false)
        }
    }
}
