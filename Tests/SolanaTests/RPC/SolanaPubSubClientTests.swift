import Foundation
import Solana
import Retry
import Testing

struct TimedOut: Error {}

/// Runs `body`, failing with `TimedOut` if it takes longer than `limit`.
func within<T: Sendable>(_ limit: Duration = .seconds(10), _ body: @escaping @Sendable () async throws -> T)
    async throws -> T
{
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimedOut()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TimedOut() }
        return first
    }
}

/// Validator-shaped PubSub messages.
enum PubSubReply {
    static func result(_ id: JSONValue?, _ json: String) -> String {
        #"{"jsonrpc":"2.0","result":\#(json),"id":\#(id?.description ?? "null")}"#
    }

    static func notification(_ method: String, subscription: UInt64, _ resultJSON: String) -> String {
        #"{"jsonrpc":"2.0","method":"\#(method)","params":{"result":\#(resultJSON),"subscription":\#(subscription)}}"#
    }

    static func programNotification(subscription: UInt64, slot: UInt64, data: [UInt8]) -> String {
        notification(
            "programNotification", subscription: subscription,
            #"{"context":{"slot":\#(slot)},"value":{"pubkey":"\#(Fixture.account.base58)","account":\#(Fixture.accountJSON(data: data, owner: Fixture.program))}}"#
        )
    }
}

/// A PubSub script that answers subscriptions like a validator and pushes one notification for each.
func validatorScript(recorder: Recorder) -> TestWebSocketServer.Script {
    { text, reply in
        guard let call = try? JSONValue.parse(text), let method = call["method"]?.stringValue else { return }
        recorder.record(call)
        let id = call["id"]
        switch method {
        case "programSubscribe":
            try await reply.send(PubSubReply.result(id, "24040"))
            try await reply.send(
                PubSubReply.programNotification(subscription: 24040, slot: 5_208_469, data: [1, 2, 3, 4]))
        case "accountSubscribe":
            try await reply.send(PubSubReply.result(id, "23784"))
            try await reply.send(
                PubSubReply.notification(
                    "accountNotification", subscription: 23784,
                    #"{"context":{"slot":5199307},"value":\#(Fixture.accountJSON(data: [9, 9], lamports: 33594))}"#))
        case "signatureSubscribe":
            try await reply.send(PubSubReply.result(id, "24006"))
            try await reply.send(
                PubSubReply.notification(
                    "signatureNotification", subscription: 24006,
                    #"{"context":{"slot":5207624},"value":{"err":{"InstructionError":[0,{"Custom":6004}]}}}"#))
        case "slotSubscribe":
            try await reply.send(PubSubReply.result(id, "0"))
            for slot in 76...78 {
                try await reply.send(
                    PubSubReply.notification(
                        "slotNotification", subscription: 0,
                        #"{"parent":\#(slot - 1),"root":\#(slot - 32),"slot":\#(slot)}"#))
            }
        case let name where name.hasSuffix("Unsubscribe"):
            try await reply.send(PubSubReply.result(id, "true"))
        default:
            try await reply.send(
                #"{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":\#(id?.description ?? "null")}"#
            )
        }
    }
}

@Suite("Solana PubSub client against an in-process WebSocket server")
struct SolanaPubSubClientTests {
    static func client(_ server: TestWebSocketServer) throws -> SolanaPubSubClient {
        try SolanaPubSubClient(configuration: .init(url: server.url, requestTimeout: .seconds(5), pingInterval: nil))
    }

    @Test func programSubscribeDeliversAccountsAndUnsubscribes() async throws {
        let recorder = Recorder()
        let server = try await TestWebSocketServer.start(script: validatorScript(recorder: recorder))
        defer { Task { await server.stop() } }
        let client = try Self.client(server)
        try await client.connect()
        let filters: [AccountFilter] = [.memcmp(offset: 0, bytes: [1, 2, 3, 4]), .dataSize(4)]
        let subscription = try await client.programSubscribe(Fixture.program, filters: filters, commitment: .confirmed)
        #expect(subscription.id == 24040)
        let first = try await within { () -> ProgramNotification? in
            var iterator = subscription.makeAsyncIterator()
            return try await iterator.next()
        }
        #expect(first?.slot == 5_208_469)
        #expect(first?.pubkey == Fixture.account)
        #expect(first?.account.data == [1, 2, 3, 4])
        #expect(first?.account.owner == Fixture.program)
        try await subscription.unsubscribe()
        // The sequence has ended.
        let after = try await within { () -> ProgramNotification? in
            var iterator = subscription.makeAsyncIterator()
            return try await iterator.next()
        }
        #expect(after == nil)
        #expect(
            recorder.calls(of: "programSubscribe").first?["params"]
                == [
                    .string(Fixture.program.base58),
                    [
                        "encoding": "base64", "commitment": "confirmed",
                        "filters": [
                            ["memcmp": ["offset": 0, "bytes": .string(Base58.encode([1, 2, 3, 4]))]], ["dataSize": 4],
                        ],
                    ],
                ])
        #expect(recorder.calls(of: "programUnsubscribe").first?["params"] == [24040])
        await client.close()
    }

    @Test func accountSignatureAndSlotSubscriptions() async throws {
        let server = try await TestWebSocketServer.start(script: validatorScript(recorder: Recorder()))
        defer { Task { await server.stop() } }
        let client = try Self.client(server)
        try await client.connect()
        #expect(await client.isConnected)

        let account = try await client.accountSubscribe(Fixture.account)
        let accountUpdate = try await within { () -> AccountNotification? in
            var iterator = account.makeAsyncIterator()
            return try await iterator.next()
        }
        #expect(accountUpdate?.slot == 5_199_307)
        #expect(accountUpdate?.account.lamports == 33594)
        #expect(accountUpdate?.account.data == [9, 9])

        // A signature subscription delivers one notification and ends.
        let signature = try await client.signatureSubscribe(Fixture.signature, commitment: .finalized)
        let signatureUpdates = try await within { () -> [SignatureNotification] in
            var all: [SignatureNotification] = []
            for try await update in signature { all.append(update) }
            return all
        }
        #expect(signatureUpdates.count == 1)
        #expect(signatureUpdates.first?.slot == 5_207_624)
        #expect(signatureUpdates.first?.err?.customErrorCode == 6004)

        let slots = try await client.slotSubscribe()
        let slotUpdates = try await within { () -> [UInt64] in
            var seen: [UInt64] = []
            for try await update in slots {
                seen.append(update.slot)
                if seen.count == 3 { break }
            }
            return seen
        }
        #expect(slotUpdates == [76, 77, 78])
        await client.close()
        #expect(await client.isConnected == false)
    }

    @Test func droppedConnectionEndsSubscriptionsWithAnError() async throws {
        let server = try await TestWebSocketServer.start(script: validatorScript(recorder: Recorder()))
        defer { Task { await server.stop() } }
        let client = try Self.client(server)
        try await client.connect()
        let subscription = try await client.programSubscribe(Fixture.program)
        let outcome = try await within { () -> SolanaPubSubError? in
            do {
                for try await _ in subscription { server.dropConnections() }
                return nil
            } catch {
                return error as? SolanaPubSubError
            }
        }
        guard case .connectionClosed(let url, _) = outcome else {
            Issue.record("expected connectionClosed, got \(String(describing: outcome))")
            return
        }
        #expect(url == server.url)
        #expect(outcome?.isTransient == true)
        #expect(await client.isConnected == false)
        await #expect(throws: SolanaPubSubError.notConnected(url: server.url)) {
            try await client.slotSubscribe()
        }
    }

    @Test func refusedSubscriptionIsAJSONRPCError() async throws {
        let server = try await TestWebSocketServer.start { text, reply in
            let id = (try? JSONValue.parse(text))?["id"]?.description ?? "null"
            try await reply.send(
                #"{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid Request: Only 100 filters"},"id":\#(id)}"#)
        }
        defer { Task { await server.stop() } }
        let client = try Self.client(server)
        try await client.connect()
        await #expect(
            throws: SolanaPubSubError.rpc(
                method: "programSubscribe", JSONRPCError(code: -32602, message: "Invalid Request: Only 100 filters"))
        ) {
            try await client.programSubscribe(Fixture.program)
        }
        await client.close()
    }

    @Test func unansweredCallTimesOut() async throws {
        let server = try await TestWebSocketServer.start { _, _ in }
        defer { Task { await server.stop() } }
        let client = try SolanaPubSubClient(
            configuration: .init(url: server.url, requestTimeout: .milliseconds(200), pingInterval: nil))
        try await client.connect()
        await #expect(
            throws: SolanaPubSubError.timeout(url: server.url, method: "slotSubscribe", limit: .milliseconds(200))
        ) {
            try await client.slotSubscribe()
        }
        await client.close()
    }

    @Test func connectionRefusedAndBadURL() async throws {
        let server = try await TestWebSocketServer.start { _, _ in }
        let url = server.url
        await server.stop()
        let client = try SolanaPubSubClient(configuration: .init(url: url, pingInterval: nil))
        do {
            try await within { try await client.connect() }
            Issue.record("connect should fail")
        } catch let error as SolanaPubSubError {
            guard case .connectionFailed(let failedURL, _) = error else {
                Issue.record("expected connectionFailed, got \(error)")
                return
            }
            #expect(failedURL == url)
            #expect(error.isTransient)
        }
        #expect(throws: SolanaPubSubError.self) { try SolanaPubSubClient(configuration: .init(url: "http://x/")) }
    }

    @Test func reconnectingSubscriptionResubscribesAfterADrop() async throws {
        let recorder = Recorder()
        let server = try await TestWebSocketServer.start(script: validatorScript(recorder: recorder))
        defer { Task { await server.stop() } }
        let events = SolanaPubSubClient.reconnectingProgramSubscription(
            configuration: .init(url: server.url, requestTimeout: .seconds(5), pingInterval: nil),
            program: Fixture.program, filters: [.dataSize(4)],
            backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(100)))
        let seen = try await within { () -> [String] in
            var seen: [String] = []
            for await event in events {
                switch event {
                case .subscribed:
                    seen.append("subscribed")
                case .notification(let notification):
                    seen.append("account \(notification.slot)")
                    if seen.count == 2 { server.dropConnections() }
                case .disconnected(let error, let wait):
                    #expect(error.isTransient)
                    #expect(wait == .milliseconds(20))
                    seen.append("disconnected")
                }
                if seen.count == 5 { break }
            }
            return seen
        }
        #expect(seen == ["subscribed", "account 5208469", "disconnected", "subscribed", "account 5208469"])
        #expect(server.connectionCount == 2)
        #expect(recorder.count(of: "programSubscribe") == 2)
    }
}
