import Foundation
import NIOCore
import NIOPosix
import Solana
import Testing

@Suite("SolanaRPCClient failures")
struct SolanaRPCClientErrorTests {
    @Test func jsonRPCErrorKeepsCodeMessageAndData() async throws {
        let handler = methodRouter { _, _, id in
            RPCReply.error(id, code: -32005, message: "Node is behind by 42 slots", dataJSON: #"{"numSlotsBehind":42}"#)
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let error = await rpcError { () async throws(SolanaRPCError) in try await client.getHealth() }
            guard case .rpc(let method, let rpc) = error else {
                Issue.record("expected a JSON-RPC error, got \(String(describing: error))")
                return
            }
            #expect(method == "getHealth")
            #expect(
                rpc == JSONRPCError(code: -32005, message: "Node is behind by 42 slots", data: ["numSlotsBehind": 42]))
            #expect(error?.isTransient == true)
            #expect(error?.description.contains("Node is behind by 42 slots") == true)
        }
    }

    @Test func invalidParamsIsNotTransient() async throws {
        let handler = methodRouter { _, _, id in
            RPCReply.error(id, code: -32602, message: "Invalid param: WrongSize")
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let error = await rpcError { () async throws(SolanaRPCError) in try await makeClient(server).getSlot() }
            #expect(error?.rpcErrorCode == -32602)
            #expect(error?.isTransient == false)
        }
    }

    @Test func rateLimitedWithRetryAfter() async throws {
        let handler: TestHTTPServer.Handler = { _ in
            ScriptedResponse(
                status: .tooManyRequests, headers: [("Retry-After", "7")],
                body:
                    #"{"jsonrpc":"2.0","error":{"code":429,"message":"Too many requests for a specific RPC call"},"id":1}"#
            )
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let error = await rpcError { () async throws(SolanaRPCError) in try await makeClient(server).getSlot() }
            guard case .httpStatus(let url, let status, let retryAfter, let body) = error else {
                Issue.record("expected an HTTP status error, got \(String(describing: error))")
                return
            }
            #expect(url == server.url)
            #expect(status == 429)
            #expect(retryAfter == .seconds(7))
            #expect(body.contains("Too many requests"))
            #expect(error?.isTransient == true)
            #expect(error?.retryAfter == .seconds(7))
        }
    }

    @Test func serverErrorCarriesBodyExcerpt() async throws {
        let handler: TestHTTPServer.Handler = { _ in
            ScriptedResponse(
                status: .internalServerError, body: "upstream validator crashed: " + String(repeating: "x", count: 5000)
            )
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let error = await rpcError { () async throws(SolanaRPCError) in try await makeClient(server).getSlot() }
            guard case .httpStatus(_, 500, nil, let body) = error else {
                Issue.record("expected HTTP 500, got \(String(describing: error))")
                return
            }
            #expect(body.hasPrefix("upstream validator crashed"))
            #expect(body.count < 400)
            #expect(error?.isTransient == true)
        }
    }

    @Test func slowReplyTimesOut() async throws {
        let handler: TestHTTPServer.Handler = { request in
            var response = RPCReply.result(request.json?["id"], "1")
            response.delay = .seconds(30)
            return response
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server, timeout: .milliseconds(300))
            let start = ContinuousClock.now
            let error = await rpcError { () async throws(SolanaRPCError) in try await client.getSlot() }
            #expect(error == .timeout(url: server.url, method: "getSlot", limit: .milliseconds(300)))
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(error?.isTransient == true)
        }
    }

    @Test(arguments: [false, true]) func oversizedReplyIsRefused(chunked: Bool) async throws {
        let big = String(repeating: "A", count: 300_000)
        let handler: TestHTTPServer.Handler = { request in
            var response = RPCReply.result(request.json?["id"], #""\#(big)""#)
            response.chunked = chunked
            return response
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server, maxResponseBytes: 100_000)
            let error = await rpcError { () async throws(SolanaRPCError) in
                try await client.send(RPCRequest<String>(method: "getBig"))
            }
            #expect(error == .responseTooLarge(url: server.url, method: "getBig", limit: 100_000))
            #expect(error?.isTransient == false)
        }
    }

    @Test func malformedJSONIsUndecodableWithExcerpt() async throws {
        let handler: TestHTTPServer.Handler = { _ in ScriptedResponse(body: #"{"jsonrpc":"2.0","result":12"#) }
        try await TestHTTPServer.with(handler: handler) { server in
            let error = await rpcError { () async throws(SolanaRPCError) in try await makeClient(server).getSlot() }
            guard case .undecodableResponse(_, "getSlot", _, let excerpt) = error else {
                Issue.record("expected undecodable, got \(String(describing: error))")
                return
            }
            #expect(excerpt == #"{"jsonrpc":"2.0","result":12"#)
        }
    }

    @Test func wrongResultShapeIsUndecodable() async throws {
        let handler = methodRouter { _, _, id in RPCReply.contextual(id, #""lots""#) }
        try await TestHTTPServer.with(handler: handler) { server in
            let error = await rpcError { () async throws(SolanaRPCError) in
                try await makeClient(server).getBalance(Fixture.account)
            }
            guard case .undecodableResponse(_, "getBalance", let reason, _) = error else {
                Issue.record("expected undecodable, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("value"))
        }
    }

    @Test func preflightFailureIsDecoded() async throws {
        let handler = methodRouter { _, _, id in
            RPCReply.error(
                id, code: -32002,
                message: "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1773",
                dataJSON:
                    #"{"accounts":null,"err":{"InstructionError":[0,{"Custom":6003}]},"innerInstructions":null,"loadedAccountsDataSize":1234,"logs":["Program CMesh11111111111111111111111111111111111 invoke [1]","Program log: Instruction: CompleteJob","Program log: AnchorError thrown in programs/cloudmesh/src/lib.rs:88. Error Code: JobAlreadyCompleted. Error Number: 6003. Error Message: Job already completed.","Program CMesh11111111111111111111111111111111111 consumed 4012 of 200000 compute units","Program CMesh11111111111111111111111111111111111 failed: custom program error: 0x1773"],"replacementBlockhash":null,"returnData":null,"unitsConsumed":4012}"#
            )
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let error = await rpcError { () async throws(SolanaRPCError) in
                try await makeClient(server).sendTransaction([1, 2, 3])
            }
            guard case .preflightFailure(let failure) = error else {
                Issue.record("expected a preflight failure, got \(String(describing: error))")
                return
            }
            #expect(failure.error == .instruction(index: 0, .custom(6003)))
            #expect(failure.error.customErrorCode == 6003)
            #expect(failure.logs.count == 5)
            #expect(failure.logs[2].contains("Error Number: 6003"))
            #expect(failure.unitsConsumed == 4012)
            #expect(error?.rpcErrorCode == -32002)
            #expect(error?.isTransient == false)
        }
    }

    @Test func connectionRefusedNamesTheURL() async throws {
        // Bind and release a port so that nothing listens there.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        let client = try SolanaRPCClient(
            configuration: .init(endpoint: "http://127.0.0.1:\(port)/?api-key=secret", timeout: .seconds(5)))
        let error = await rpcError { () async throws(SolanaRPCError) in try await client.getSlot() }
        guard case .transport(let url, _) = error else {
            Issue.record("expected a transport error, got \(String(describing: error))")
            return
        }
        #expect(url == "http://127.0.0.1:\(port)/")
        #expect(error?.description.contains("secret") == false)
        #expect(error?.isTransient == true)
    }

    @Test func invalidEndpointIsRejected() {
        #expect(throws: SolanaRPCError.self) { try SolanaRPCClient(endpoint: "ftp://example.com") }
        #expect(throws: SolanaRPCError.self) { try SolanaRPCClient(endpoint: "not a url") }
    }

    @Test func retryPolicyRetriesTransientFailures() async throws {
        let attempts = Counter()
        let handler: TestHTTPServer.Handler = { request in
            if attempts.increment() <= 2 {
                return ScriptedResponse(status: .tooManyRequests, headers: [("Retry-After", "0")], body: "slow down")
            }
            return RPCReply.result(request.json?["id"], "77")
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let policy = RetryPolicy(
                maxAttempts: 4, initialDelay: .milliseconds(10), maxDelay: .milliseconds(50), jitter: 0)
            let client = try makeClient(server, retryPolicy: policy)
            #expect(try await client.getSlot() == 77)
            #expect(attempts.current == 3)
        }
    }

    @Test func retryPolicyDoesNotRetryPermanentFailures() async throws {
        let attempts = Counter()
        let handler = methodRouter { _, _, id in
            attempts.increment()
            return RPCReply.error(id, code: -32602, message: "Invalid params")
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let policy = RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(10), jitter: 0)
            let error = await rpcError { () async throws(SolanaRPCError) in
                try await makeClient(server, retryPolicy: policy).getSlot()
            }
            #expect(error?.rpcErrorCode == -32602)
            #expect(attempts.current == 1)
        }
    }
}
