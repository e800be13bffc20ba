import Foundation
import Testing

@testable import Solana

/// `getSignaturesForAddress`, `getTransactionAccounts` and `getProgramAccountAddresses` against a scripted node.
struct SolanaRPCHistoryTests {
    @Test func signaturesForAddress() async throws {
        let recorder = Recorder()
        let other = try Signature(bytes: [UInt8](repeating: 9, count: 64))
        let handler = methodRouter(recorder: recorder) { method, _, id in
            guard method == "getSignaturesForAddress" else {
                return RPCReply.error(id, code: -32601, message: "Method not found")
            }
            return RPCReply.result(
                id,
                #"""
                [{"blockTime":1700000000,"confirmationStatus":"confirmed","err":null,"memo":null,"signature":"\#(Fixture.signature.base58)","slot":12},
                 {"blockTime":null,"confirmationStatus":"finalized","err":{"InstructionError":[0,{"Custom":6001}]},"memo":null,"signature":"\#(other.base58)","slot":11}]
                """#)
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let page = try await client.getSignaturesForAddress(
                Fixture.program, before: other, until: Fixture.signature, limit: 2, commitment: .processed)
            #expect(page.map(\.signature) == [Fixture.signature, other])
            #expect(page.map(\.slot) == [12, 11])
            #expect(page[0].err == nil && page[1].err != nil)
            #expect(page[0].blockTime == 1_700_000_000 && page[1].confirmationStatus == .finalized)
        }
        #expect(
            recorder.calls(of: "getSignaturesForAddress").first?["params"]
                == [
                    .string(Fixture.program.base58),
                    [
                        "commitment": "confirmed", "limit": 2, "before": .string(other.base58),
                        "until": .string(Fixture.signature.base58),
                    ],
                ])
    }

    @Test func noHistoryErrors() async throws {
        let handler = methodRouter { _, _, id in
            RPCReply.error(id, code: -32011, message: "Transaction history is not available from this node")
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let error = await rpcError { () async throws(SolanaRPCError) in
                try await client.getSignaturesForAddress(Fixture.program)
            }
            guard case .rpc(_, let rpcError) = error else {
                Issue.record("expected a JSON-RPC error, got \(String(describing: error))")
                return
            }
            #expect(rpcError.meansNoTransactionHistory)
        }
        for code in [-32007, -32009, -32011] {
            #expect(JSONRPCError(code: code, message: "").meansNoTransactionHistory)
        }
        #expect(!JSONRPCError(code: -32005, message: "").meansNoTransactionHistory)
    }

    @Test func transactionAccountsFollowTheHeaderAndLoadedAddresses() async throws {
        let keys = (1...5).map { Fixture.key(UInt8($0)) }
        let loadedWritable = Fixture.key(20)
        let loadedReadonly = Fixture.key(21)
        let recorder = Recorder()
        let handler = methodRouter(recorder: recorder) { _, params, id in
            guard params.first == .string(Fixture.signature.base58) else { return RPCReply.result(id, "null") }
            return RPCReply.result(
                id,
                #"""
                {"slot":77,"blockTime":null,"version":0,
                 "meta":{"err":null,"fee":5000,"loadedAddresses":{"writable":["\#(loadedWritable.base58)"],"readonly":["\#(loadedReadonly.base58)"]}},
                 "transaction":{"signatures":["\#(Fixture.signature.base58)"],"message":{
                   "accountKeys":[\#(keys.map { "\"\($0.base58)\"" }.joined(separator: ","))],
                   "header":{"numRequiredSignatures":2,"numReadonlySignedAccounts":1,"numReadonlyUnsignedAccounts":1},
                   "instructions":[],"recentBlockhash":"\#(Fixture.blockhash.base58)","addressTableLookups":[]}}}
                """#)
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let transaction = try #require(try await client.getTransactionAccounts(Fixture.signature))
            #expect(transaction.slot == 77 && transaction.err == nil)
            // Signers: keys[0] writable, keys[1] readonly; unsigned: keys[2], keys[3] writable, keys[4] readonly.
            #expect(transaction.writableKeys == [keys[0], keys[2], keys[3], loadedWritable])
            #expect(transaction.accountKeys == keys + [loadedWritable, loadedReadonly])
            #expect(
                try await client.getTransactionAccounts(try Signature(bytes: [UInt8](repeating: 1, count: 64))) == nil)
        }
        let config = try #require(recorder.calls(of: "getTransaction").first?["params"]?.arrayValue?.last)
        #expect(config["encoding"] == "json" && config["maxSupportedTransactionVersion"] == 0)
        #expect(config["commitment"] == "confirmed")
    }

    @Test func addressListingsHaveTheirOwnAnswerCap() async throws {
        let recorder = Recorder()
        let entries = (0..<64).map { index in
            #"{"account":{"data":["","base64"],"executable":false,"lamports":3000000,"owner":"\#(Fixture.program.base58)","rentEpoch":18446744073709551615,"space":308},"pubkey":"\#(Fixture.key(UInt8(index)).base58)"}"#
        }
        let handler = methodRouter(recorder: recorder) { _, _, id in
            RPCReply.result(id, #"{"context":{"slot":5},"value":[\#(entries.joined(separator: ","))]}"#)
        }
        try await TestHTTPServer.with(handler: handler) { server in
            // 64 entries of some 200 bytes: over a 4 KiB cap, which every other call keeps.
            let client = try makeClient(server, maxResponseBytes: 4096)
            let listing = try await client.getProgramAccountAddresses(
                Fixture.program, filters: [.dataSize(308)], commitment: .confirmed)
            #expect(listing.slot == 5)
            #expect(listing.value == (0..<64).map { Fixture.key(UInt8($0)) })
            let error = await rpcError { () async throws(SolanaRPCError) in
                try await client.getProgramAccountsWithContext(Fixture.program, filters: [.dataSize(308)])
            }
            guard case .responseTooLarge = error else {
                Issue.record("expected responseTooLarge, got \(String(describing: error))")
                return
            }
        }
        let config = try #require(recorder.calls(of: "getProgramAccounts").first?["params"]?.arrayValue?.last)
        #expect(config["dataSlice"] == ["offset": 0, "length": 0])
        #expect(config["withContext"] == true && config["filters"] == [["dataSize": 308]])
    }

    @Test func addressListingsAreScannedWhateverTheSpacing() async throws {
        let spaced = """
            {"jsonrpc": "2.0", "result": {"context": {"apiVersion": "2.2.0", "slot": 123456},
             "value": [{"account": {"data": ["", "base64"], "owner": "\(Fixture.program.base58)", "space": 308},
                        "pubkey" : "\(Fixture.key(1).base58)"},
                       {"pubkey": "\(Fixture.key(2).base58)", "account": {"data": ["", "base64"]}}]}, "id": 1}
            """
        let listing = try AddressListingScanner.scan(Data(spaced.utf8))
        #expect(listing.slot == 123_456 && listing.value == [Fixture.key(1), Fixture.key(2)])
        let empty = try AddressListingScanner.scan(
            Data(#"{"jsonrpc":"2.0","result":{"context":{"slot":9},"value":[]},"id":1}"#.utf8))
        #expect(empty.slot == 9 && empty.value.isEmpty)
        #expect(throws: AddressListingScanner.Failure.self) {
            try AddressListingScanner.scan(Data(#"{"result":{"context":{"slot":1},"value":[{"pubkey":"0OIl"}]}}"#.utf8))
        }

        let handler = methodRouter { _, _, id in
            RPCReply.error(id, code: -32010, message: "excluded from account secondary indexes")
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let client = try makeClient(server)
            let error = await rpcError { () async throws(SolanaRPCError) in
                try await client.getProgramAccountAddresses(Fixture.program)
            }
            #expect(error?.rpcErrorCode == -32010)
        }
    }
}
