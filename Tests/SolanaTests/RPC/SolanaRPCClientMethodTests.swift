import Foundation
import Solana
import Testing

@Suite("SolanaRPCClient typed methods against validator-shaped answers")
struct SolanaRPCClientMethodTests {
    @Test func nodeInfoMethods() async throws {
        let recorder = Recorder()
        let handler = methodRouter(recorder: recorder) { method, _, id in
            switch method {
            case "getVersion": RPCReply.result(id, #"{"feature-set":2891131721,"solana-core":"2.1.16"}"#)
            case "getHealth": RPCReply.result(id, #""ok""#)
            case "getSlot": RPCReply.result(id, "1234")
            case "getBlockHeight": RPCReply.result(id, "1200")
            case "getMinimumBalanceForRentExemption": RPCReply.result(id, "1559040")
            case "getRecentPrioritizationFees":
                RPCReply.result(
                    id, #"[{"slot":348125,"prioritizationFee":0},{"slot":348126,"prioritizationFee":1000}]"#)
            default: RPCReply.error(id, code: -32601, message: "Method not found")
            }
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let version = try await client.getVersion()
            #expect(version.solanaCore == "2.1.16")
            #expect(version.featureSet == 2_891_131_721)
            try await client.getHealth()
            #expect(try await client.getSlot(commitment: .processed) == 1234)
            #expect(try await client.getBlockHeight() == 1200)
            #expect(try await client.getMinimumBalanceForRentExemption(dataLength: 96) == 1_559_040)
            let fees = try await client.getRecentPrioritizationFees(accounts: [Fixture.program])
            #expect(fees.map(\.prioritizationFee) == [0, 1000])
        }
        let slotCall = try #require(recorder.calls(of: "getSlot").first)
        #expect(slotCall["jsonrpc"] == "2.0")
        #expect(slotCall["params"] == [["commitment": "processed"]])
        // The default commitment is confirmed.
        #expect(recorder.calls(of: "getBlockHeight").first?["params"] == [["commitment": "confirmed"]])
        #expect(
            recorder.calls(of: "getMinimumBalanceForRentExemption").first?["params"] == [
                96, ["commitment": "confirmed"],
            ])
        #expect(
            recorder.calls(of: "getRecentPrioritizationFees").first?["params"] == [[.string(Fixture.program.base58)]])
        // Ids increase.
        let ids = recorder.all.compactMap { $0["id"]?.uint64Value }
        #expect(ids == ids.sorted() && Set(ids).count == ids.count)
    }

    @Test func blockhashAndBalance() async throws {
        let recorder = Recorder()
        let handler = methodRouter(recorder: recorder) { method, _, id in
            switch method {
            case "getLatestBlockhash":
                RPCReply.contextual(
                    id, slot: 2792, #"{"blockhash":"\#(Fixture.blockhash.base58)","lastValidBlockHeight":3090}"#)
            case "isBlockhashValid": RPCReply.contextual(id, slot: 2483, "false")
            case "getBalance": RPCReply.contextual(id, "2039280")
            case "getFeeForMessage": RPCReply.contextual(id, "null")
            default: RPCReply.error(id, code: -32601, message: "Method not found")
            }
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let latest = try await client.getLatestBlockhash(commitment: .finalized)
            #expect(
                latest == LatestBlockhash(blockhash: Fixture.blockhash, lastValidBlockHeight: 3090, contextSlot: 2792))
            #expect(try await client.isBlockhashValid(Fixture.blockhash) == false)
            #expect(try await client.getBalance(Fixture.account) == 2_039_280)
            #expect(try await client.getFeeForMessage([1, 2, 3]) == nil)
        }
        #expect(recorder.calls(of: "getLatestBlockhash").first?["params"] == [["commitment": "finalized"]])
        #expect(
            recorder.calls(of: "getBalance").first?["params"]
                == [.string(Fixture.account.base58), ["commitment": "confirmed"]])
        #expect(recorder.calls(of: "getFeeForMessage").first?["params"]?.arrayValue?.first == "AQID")
    }

    @Test func accounts() async throws {
        let recorder = Recorder()
        let data: [UInt8] = [0xde, 0xad, 0xbe, 0xef, 1, 2, 3]
        let handler = methodRouter(recorder: recorder) { method, params, id in
            switch method {
            case "getAccountInfo":
                params.first == .string(Fixture.account.base58)
                    ? RPCReply.contextual(id, Fixture.accountJSON(data: data)) : RPCReply.contextual(id, "null")
            case "getMultipleAccounts":
                RPCReply.contextual(id, "[\(Fixture.accountJSON(data: data)),null]")
            default: RPCReply.error(id, code: -32601, message: "Method not found")
            }
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let account = try #require(
                try await client.getAccountInfo(Fixture.account, dataSlice: .init(offset: 0, length: 7)))
            #expect(account.data == data)
            #expect(account.owner == Fixture.owner)
            #expect(account.lamports == 1_461_600)
            #expect(account.rentEpoch == UInt64.max)
            #expect(account.space == 7)
            #expect(try await client.getAccountInfo(Fixture.program) == nil)
            let many = try await client.getMultipleAccounts([Fixture.account, Fixture.program])
            #expect(many.count == 2)
            #expect(many[0]?.data == data)
            #expect(many[1] == nil)
        }
        #expect(
            recorder.calls(of: "getAccountInfo").first?["params"]
                == [
                    .string(Fixture.account.base58),
                    ["encoding": "base64", "commitment": "confirmed", "dataSlice": ["offset": 0, "length": 7]],
                ])
    }

    @Test func programAccountsWithFilters() async throws {
        let recorder = Recorder()
        let data: [UInt8] = Array(repeating: 5, count: 16)
        let handler = methodRouter(recorder: recorder) { method, params, id in
            let list =
                #"[{"account":\#(Fixture.accountJSON(data: data, owner: Fixture.program)),"pubkey":"\#(Fixture.account.base58)"}]"#
            let withContext = params.count > 1 && params[1]["withContext"] == true
            return withContext ? RPCReply.contextual(id, slot: 99, list) : RPCReply.result(id, list)
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let filters: [AccountFilter] = [
                .dataSize(16), .memcmp(offset: 0, bytes: [1, 2, 3]),
                .memcmp(offset: 8, bytes: [0xff], encoding: .base64),
            ]
            let accounts = try await client.getProgramAccounts(Fixture.program, filters: filters)
            #expect(accounts == [ProgramAccount(pubkey: Fixture.account, account: accounts[0].account)])
            #expect(accounts[0].account.data == data)
            let withContext = try await client.getProgramAccountsWithContext(
                Fixture.program, filters: [.dataSize(16)], dataSlice: .init(offset: 8, length: 8))
            #expect(withContext.slot == 99)
            #expect(withContext.value.count == 1)
        }
        let calls = recorder.calls(of: "getProgramAccounts")
        #expect(
            calls.first?["params"]
                == [
                    .string(Fixture.program.base58),
                    [
                        "encoding": "base64", "commitment": "confirmed",
                        "filters": [
                            ["dataSize": 16], ["memcmp": ["offset": 0, "bytes": .string(Base58.encode([1, 2, 3]))]],
                            ["memcmp": ["offset": 8, "bytes": "/w==", "encoding": "base64"]],
                        ],
                    ],
                ])
        #expect(calls.last?["params"]?.arrayValue?.last?["withContext"] == true)
        #expect(calls.last?["params"]?.arrayValue?.last?["dataSlice"] == ["offset": 8, "length": 8])
    }

    @Test func transactions() async throws {
        let recorder = Recorder()
        let signature = Fixture.signature.base58
        let handler = methodRouter(recorder: recorder) { method, _, id in
            switch method {
            case "sendTransaction", "requestAirdrop": RPCReply.result(id, #""\#(signature)""#)
            case "simulateTransaction":
                RPCReply.contextual(
                    id, slot: 218,
                    #"{"accounts":null,"err":{"InstructionError":[1,"InvalidAccountData"]},"innerInstructions":null,"loadedAccountsDataSize":413,"logs":["Program 11111111111111111111111111111111 invoke [1]","Program 11111111111111111111111111111111 failed: invalid account data for instruction"],"replacementBlockhash":null,"returnData":null,"unitsConsumed":2366}"#
                )
            case "getSignatureStatuses":
                RPCReply.contextual(
                    id, slot: 82,
                    #"[{"slot":48,"confirmations":null,"err":null,"status":{"Ok":null},"confirmationStatus":"finalized"},null,{"slot":50,"confirmations":3,"err":{"InsufficientFundsForRent":{"account_index":0}},"status":{"Err":{"InsufficientFundsForRent":{"account_index":0}}},"confirmationStatus":"confirmed"}]"#
                )
            case "getTransaction":
                RPCReply.result(
                    id,
                    #"{"blockTime":1700000000,"meta":{"computeUnitsConsumed":4012,"err":{"InstructionError":[0,{"Custom":6003}]},"fee":5000,"innerInstructions":[],"logMessages":["Program log: AnchorError occurred. Error Code: JobAlreadyCompleted. Error Number: 6003."],"postBalances":[1],"preBalances":[2],"status":{"Err":{"InstructionError":[0,{"Custom":6003}]}}},"slot":430,"transaction":["AQID","base64"],"version":"legacy"}"#
                )
            default: RPCReply.error(id, code: -32601, message: "Method not found")
            }
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let wire: [UInt8] = [1, 2, 3, 250]
            let options = SendTransactionOptions(
                skipPreflight: true, preflightCommitment: .processed, maxRetries: 0, minContextSlot: 77)
            #expect(try await client.sendTransaction(wire, options: options) == Fixture.signature)
            #expect(try await client.requestAirdrop(to: Fixture.account, lamports: 1_000_000_000) == Fixture.signature)
            let simulation = try await client.simulateTransaction(wire)
            #expect(simulation.err == .instruction(index: 1, .named("InvalidAccountData")))
            #expect(simulation.logs?.count == 2)
            #expect(simulation.unitsConsumed == 2366)
            let statuses = try await client.getSignatureStatuses(
                [Fixture.signature, Fixture.signature, Fixture.signature], searchTransactionHistory: true)
            #expect(
                statuses[0] == SignatureStatus(slot: 48, confirmations: nil, err: nil, confirmationStatus: .finalized))
            #expect(statuses[1] == nil)
            #expect(statuses[2]?.err == .insufficientFundsForRent(accountIndex: 0))
            #expect(statuses[2]?.satisfies(.confirmed) == true && statuses[2]?.satisfies(.finalized) == false)
            let details = try #require(try await client.getTransaction(Fixture.signature))
            #expect(details.slot == 430)
            #expect(details.blockTime == 1_700_000_000)
            #expect(details.meta?.err?.customErrorCode == 6003)
            #expect(details.meta?.fee == 5000)
            #expect(details.meta?.logMessages?.first?.contains("6003") == true)
        }
        #expect(
            recorder.calls(of: "sendTransaction").first?["params"]
                == [
                    "AQID+g==",
                    [
                        "encoding": "base64", "skipPreflight": true, "preflightCommitment": "processed",
                        "maxRetries": 0,
                        "minContextSlot": 77,
                    ],
                ])
        #expect(
            recorder.calls(of: "getSignatureStatuses").first?["params"]?.arrayValue?.last == [
                "searchTransactionHistory": true
            ])
        #expect(
            recorder.calls(of: "getTransaction").first?["params"]?.arrayValue?.last?["maxSupportedTransactionVersion"]
                == 0)
        #expect(recorder.calls(of: "requestAirdrop").first?["params"]?.arrayValue?[1] == 1_000_000_000)
    }
}
