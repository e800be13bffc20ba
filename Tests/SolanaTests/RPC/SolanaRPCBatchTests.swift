import Solana
import Testing

@Suite("JSON-RPC batches")
struct SolanaRPCBatchTests {
    @Test func answersOutOfOrderAreMatchedById() async throws {
        let handler: TestHTTPServer.Handler = { request in
            guard let calls = request.json?.arrayValue else {
                return RPCReply.error(nil, code: -32600, message: "Invalid request")
            }
            // Answer in reverse order; the second call fails.
            let answers = calls.enumerated().reversed().map { index, call -> String in
                let id = call["id"]?.description ?? "null"
                if index == 1 {
                    return
                        #"{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid param: could not find account"},"id":\#(id)}"#
                }
                return #"{"jsonrpc":"2.0","result":{"context":{"slot":9},"value":\#(index * 100)},"id":\#(id)}"#
            }
            return ScriptedResponse(body: "[" + answers.joined(separator: ",") + "]")
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let requests: [RPCRequest<ContextResult<UInt64>>] = [
                .getBalance(Fixture.key(1), commitment: .confirmed),
                .getBalance(Fixture.key(2), commitment: .confirmed),
                .getBalance(Fixture.key(3), commitment: .confirmed),
            ]
            let results = try await client.batch(requests)
            #expect(results.count == 3)
            #expect(try results[0].get().value == 0)
            #expect(try results[2].get().value == 200)
            guard case .failure(.rpc("getBalance", let error)) = results[1] else {
                Issue.record("expected the second call to fail, got \(results[1])")
                return
            }
            #expect(error.code == -32602)
        }
    }

    @Test func heterogeneousBatchAsRawJSON() async throws {
        let handler: TestHTTPServer.Handler = { request in
            let calls = request.json?.arrayValue ?? []
            let answers = calls.map { call in
                #"{"jsonrpc":"2.0","result":"\#(call["method"]?.stringValue ?? "")","id":\#(call["id"]?.description ?? "null")}"#
            }
            return ScriptedResponse(body: "[" + answers.reversed().joined(separator: ",") + "]")
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let results = try await makeClient(server).batch([
                RPCRequest<JSONValue>(method: "getSlot"), RPCRequest<JSONValue>(method: "getHealth"),
            ])
            #expect(try results.map { try $0.get() } == ["getSlot", "getHealth"])
            #expect(try results[1].get().decode(String.self) == "getHealth")
        }
    }

    @Test func missingAnswerAndWholeBatchRejection() async throws {
        let handler: TestHTTPServer.Handler = { request in
            let calls = request.json?.arrayValue ?? []
            if calls.count == 1 {
                return RPCReply.error(nil, code: -32600, message: "Batch requests are not supported")
            }
            let id = calls.first?["id"]?.description ?? "null"
            return ScriptedResponse(body: #"[{"jsonrpc":"2.0","result":5,"id":\#(id)}]"#)
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let results = try await client.batch([
                RPCRequest<UInt64>.getSlot(commitment: .processed), .getSlot(commitment: .processed),
            ])
            #expect(try results[0].get() == 5)
            guard case .failure(.undecodableResponse(_, "getSlot", let reason, _)) = results[1] else {
                Issue.record("expected a missing answer, got \(results[1])")
                return
            }
            #expect(reason.contains("no response"))
            let error = await rpcError { () async throws(SolanaRPCError) in
                try await client.batch([RPCRequest<UInt64>.getSlot(commitment: .processed)])
            }
            #expect(error?.rpcErrorCode == -32600)
            #expect(try await client.batch([RPCRequest<UInt64>]()).isEmpty)
        }
    }
}
