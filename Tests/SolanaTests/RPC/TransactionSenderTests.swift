import Solana
import Synchronization
import Testing

@Suite("Send and confirm against a scripted node")
struct TransactionSenderTests {
    static let lastValid: UInt64 = 1000
    static let fast = TransactionSender.Options(
        rebroadcastInterval: .milliseconds(30), pollInterval: .milliseconds(10), expiryCheckInterval: .milliseconds(10),
        blockhashRetry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(5), jitter: 0))

    static let signer: TransactionSender.Signer = { blockhash in
        (signature: Fixture.signature, wire: [1] + blockhash.bytes)
    }

    static func status(slot: UInt64, level: String, errJSON: String = "null") -> String {
        let status = errJSON == "null" ? #"{"Ok":null}"# : #"{"Err":\#(errJSON)}"#
        return
            #"[{"slot":\#(slot),"confirmations":\#(level == "finalized" ? "null" : "1"),"err":\#(errJSON),"status":\#(status),"confirmationStatus":"\#(level)"}]"#
    }

    static func latestBlockhash(_ id: JSONValue?) -> ScriptedResponse {
        RPCReply.contextual(
            id, slot: 900, #"{"blockhash":"\#(Fixture.blockhash.base58)","lastValidBlockHeight":\#(lastValid)}"#)
    }

    /// A node that takes every send, answers statuses with `statuses` and the block height with `blockHeight`.
    static func node(
        recorder: Recorder, statuses: @escaping @Sendable () -> String, blockHeight: @escaping @Sendable () -> String
    ) -> TestHTTPServer.Handler {
        methodRouter(recorder: recorder) { method, _, id in
            switch method {
            case "getLatestBlockhash": Self.latestBlockhash(id)
            case "sendTransaction": RPCReply.result(id, #""\#(Fixture.signature.base58)""#)
            case "getSignatureStatuses": RPCReply.contextual(id, statuses())
            case "getBlockHeight": RPCReply.result(id, blockHeight())
            default: RPCReply.error(id, code: -32601, message: "Method not found")
            }
        }
    }

    @Test func landsAfterRebroadcast() async throws {
        let recorder = Recorder()
        let sends = Counter()
        let handler = methodRouter(recorder: recorder) { method, _, id in
            switch method {
            case "getLatestBlockhash": return Self.latestBlockhash(id)
            case "sendTransaction":
                sends.increment()
                return RPCReply.result(id, #""\#(Fixture.signature.base58)""#)
            case "getSignatureStatuses":
                return RPCReply.contextual(
                    id, sends.current >= 3 ? Self.status(slot: 77, level: "confirmed") : "[null]")
            case "getBlockHeight": return RPCReply.result(id, "950")
            default: return RPCReply.error(id, code: -32601, message: "Method not found")
            }
        }
        let submitted = Mutex<[TransactionSubmission]>([])
        try await TestHTTPServer.with(handler: handler) { server in
            let sender = TransactionSender(client: try makeClient(server), options: Self.fast)
            let outcome = try await sender.send(sign: Self.signer) { submission in
                // The submission is reported before anything is sent.
                #expect(sends.current == 0)
                submitted.withLock { $0.append(submission) }
            }
            #expect(outcome == .confirmed(signature: Fixture.signature, slot: 77))
        }
        #expect(
            submitted.withLock { $0 }
                == [
                    TransactionSubmission(
                        signature: Fixture.signature, lastValidBlockHeight: Self.lastValid,
                        wire: [1] + Fixture.blockhash.bytes)
                ])
        let sendCalls = recorder.calls(of: "sendTransaction")
        #expect(sendCalls.count >= 3)
        // The first send runs preflight; rebroadcasts skip it. Every send carries the same bytes.
        #expect(sendCalls.first?["params"]?.arrayValue?[1]["skipPreflight"] == false)
        #expect(sendCalls.dropFirst().allSatisfy { $0["params"]?.arrayValue?[1]["skipPreflight"] == true })
        #expect(Set(sendCalls.compactMap { $0["params"]?.arrayValue?.first }).count == 1)
        #expect(recorder.calls(of: "getLatestBlockhash").first?["params"] == [["commitment": "confirmed"]])
    }

    @Test func expiresWhenBlockHeightPassesLastValid() async throws {
        let recorder = Recorder()
        let heightCalls = Counter()
        let handler = Self.node(recorder: recorder, statuses: { "[null]" }) {
            "\(990 + 3 * heightCalls.increment())"
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let sender = TransactionSender(client: try makeClient(server), options: Self.fast)
            let outcome = try await sender.send(sign: Self.signer)
            #expect(outcome == .expired(signature: Fixture.signature, lastValidBlockHeight: Self.lastValid))
        }
        #expect(heightCalls.current >= 4)
        // Expiry is only declared after a history search.
        let last = recorder.calls(of: "getSignatureStatuses").last
        #expect(last?["params"]?.arrayValue?.last == ["searchTransactionHistory": true])
    }

    /// Statuses are polled every `pollInterval`; the block height (for expiry) at most every
    /// `expiryCheckInterval`.
    @Test func theExpiryCheckIsPacedApartFromTheStatusPoll() async throws {
        let recorder = Recorder()
        let statusCalls = Counter()
        let handler = Self.node(
            recorder: recorder,
            statuses: { statusCalls.increment() >= 6 ? Self.status(slot: 80, level: "confirmed") : "[null]" },
            blockHeight: { "950" })
        var options = Self.fast
        options.rebroadcastInterval = .seconds(3600)
        options.expiryCheckInterval = .seconds(3600)
        try await TestHTTPServer.with(handler: handler) { server in
            let outcome = try await TransactionSender(client: try makeClient(server), options: options).send(
                sign: Self.signer)
            #expect(outcome == .confirmed(signature: Fixture.signature, slot: 80))
        }
        #expect(recorder.count(of: "getSignatureStatuses") == 6)
        #expect(recorder.count(of: "getBlockHeight") == 1, "one expiry check in the first interval")
        #expect(recorder.count(of: "sendTransaction") == 1)
    }

    @Test func preflightCustomErrorFails() async throws {
        let recorder = Recorder()
        let handler = methodRouter(recorder: recorder) { method, _, id in
            switch method {
            case "getLatestBlockhash": Self.latestBlockhash(id)
            case "sendTransaction":
                RPCReply.error(
                    id, code: -32002,
                    message:
                        "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1773",
                    dataJSON:
                        #"{"accounts":null,"err":{"InstructionError":[0,{"Custom":6003}]},"innerInstructions":null,"logs":["Program log: Instruction: CompleteJob","Program log: AnchorError occurred. Error Code: JobAlreadyCompleted. Error Number: 6003. Error Message: Job already completed."],"replacementBlockhash":null,"returnData":null,"unitsConsumed":3100}"#
                )
            default: RPCReply.contextual(id, "[null]")
            }
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let sender = TransactionSender(client: try makeClient(server), options: Self.fast)
            let outcome = try await sender.send(sign: Self.signer)
            guard case .failed(let signature, let error, let logs, let slot) = outcome else {
                Issue.record("expected failure, got \(outcome)")
                return
            }
            #expect(signature == Fixture.signature)
            #expect(error.customErrorCode == 6003)
            #expect(logs.count == 2 && logs[1].contains("6003"))
            #expect(slot == nil)
        }
        #expect(recorder.count(of: "sendTransaction") == 1)
    }

    @Test func landedWithErrorFetchesLogs() async throws {
        let handler = methodRouter { method, _, id in
            switch method {
            case "getLatestBlockhash": Self.latestBlockhash(id)
            case "sendTransaction": RPCReply.result(id, #""\#(Fixture.signature.base58)""#)
            case "getSignatureStatuses":
                RPCReply.contextual(
                    id, Self.status(slot: 88, level: "confirmed", errJSON: #"{"InstructionError":[0,{"Custom":6004}]}"#)
                )
            case "getTransaction":
                RPCReply.result(
                    id,
                    #"{"blockTime":1700000000,"meta":{"err":{"InstructionError":[0,{"Custom":6004}]},"fee":5000,"logMessages":["Program log: Error Number: 6004."]},"slot":88,"transaction":["AQ==","base64"]}"#
                )
            default: RPCReply.result(id, "950")
            }
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let outcome = try await TransactionSender(client: try makeClient(server), options: Self.fast).send(
                sign: Self.signer)
            #expect(
                outcome
                    == .failed(
                        signature: Fixture.signature, error: .instruction(index: 0, .custom(6004)),
                        logs: ["Program log: Error Number: 6004."], slot: 88))
        }
    }

    @Test func resumeFindsAnAlreadyLandedTransactionWithoutSending() async throws {
        let recorder = Recorder()
        let handler = methodRouter(recorder: recorder) { method, _, id in
            method == "getSignatureStatuses"
                ? RPCReply.contextual(id, Self.status(slot: 60, level: "finalized"))
                : RPCReply.error(id, code: -32601, message: "unexpected \(method)")
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let sender = TransactionSender(client: try makeClient(server), options: Self.fast)
            let outcome = try await sender.resume(
                TransactionSubmission(signature: Fixture.signature, lastValidBlockHeight: 10, wire: [1, 2, 3]))
            #expect(outcome == .confirmed(signature: Fixture.signature, slot: 60))
        }
        #expect(recorder.count(of: "sendTransaction") == 0)
        #expect(
            recorder.calls(of: "getSignatureStatuses").first?["params"]?.arrayValue?.last == [
                "searchTransactionHistory": true
            ])
    }

    @Test func resumeRebroadcastsTheSameBytes() async throws {
        let recorder = Recorder()
        let sends = Counter()
        let handler = methodRouter(recorder: recorder) { method, _, id in
            switch method {
            case "sendTransaction":
                sends.increment()
                return RPCReply.result(id, #""\#(Fixture.signature.base58)""#)
            case "getSignatureStatuses":
                return RPCReply.contextual(
                    id, sends.current >= 1 ? Self.status(slot: 61, level: "confirmed") : "[null]")
            default: return RPCReply.result(id, "5")
            }
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let sender = TransactionSender(client: try makeClient(server), options: Self.fast)
            let outcome = try await sender.resume(
                TransactionSubmission(signature: Fixture.signature, lastValidBlockHeight: 10, wire: [9, 9, 9]))
            #expect(outcome == .confirmed(signature: Fixture.signature, slot: 61))
        }
        #expect(recorder.calls(of: "sendTransaction").first?["params"]?.arrayValue?.first == "CQkJ")
    }

    @Test func transientFailuresAreRetriedWithinTheWindow() async throws {
        let sends = Counter()
        let statusCalls = Counter()
        let handler: TestHTTPServer.Handler = { request in
            let id = request.json?["id"]
            switch request.json?["method"]?.stringValue {
            case "getLatestBlockhash":
                return Self.latestBlockhash(id)
            case "sendTransaction":
                if sends.increment() == 1 { return ScriptedResponse(status: .serviceUnavailable, body: "overloaded") }
                return RPCReply.result(id, #""\#(Fixture.signature.base58)""#)
            case "getSignatureStatuses":
                if statusCalls.increment() <= 2 {
                    return ScriptedResponse(status: .tooManyRequests, headers: [("Retry-After", "0")], body: "")
                }
                return RPCReply.contextual(
                    id, sends.current >= 2 ? Self.status(slot: 70, level: "confirmed") : "[null]")
            default:
                return RPCReply.error(id, code: -32005, message: "Node is unhealthy")
            }
        }
        try await TestHTTPServer.with(handler: handler) { server in
            let outcome = try await TransactionSender(client: try makeClient(server), options: Self.fast).send(
                sign: Self.signer)
            #expect(outcome == .confirmed(signature: Fixture.signature, slot: 70))
        }
        #expect(sends.current >= 2)
    }

    @Test func aFailingJournalStopsTheSend() async throws {
        struct JournalDown: Error {}
        let recorder = Recorder()
        let handler = methodRouter(recorder: recorder) { _, _, id in Self.latestBlockhash(id) }
        try await TestHTTPServer.with(handler: handler) { server in
            let sender = TransactionSender(client: try makeClient(server), options: Self.fast)
            await #expect(throws: JournalDown.self) {
                try await sender.send(sign: Self.signer) { _ in throw JournalDown() }
            }
        }
        #expect(recorder.count(of: "sendTransaction") == 0)
    }
}
