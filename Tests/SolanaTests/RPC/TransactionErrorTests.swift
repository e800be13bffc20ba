import Foundation
import Testing

@testable import Solana

@Suite("TransactionError JSON forms, retry timing and Retry-After")
struct TransactionErrorTests {
    @Test(arguments: [
        (#""BlockhashNotFound""#, TransactionError.named("BlockhashNotFound")),
        (#""InsufficientFundsForFee""#, .named("InsufficientFundsForFee")),
        (#""AlreadyProcessed""#, .named("AlreadyProcessed")),
        (#"{"InstructionError":[0,{"Custom":6003}]}"#, .instruction(index: 0, .custom(6003))),
        (#"{"InstructionError":[1,"InvalidAccountData"]}"#, .instruction(index: 1, .named("InvalidAccountData"))),
        (#"{"InstructionError":[2,{"BorshIoError":"Unknown"}]}"#, .instruction(index: 2, .borshIoError("Unknown"))),
        (#"{"InsufficientFundsForRent":{"account_index":0}}"#, .insufficientFundsForRent(accountIndex: 0)),
        (#"{"DuplicateInstruction":3}"#, .duplicateInstruction(index: 3)),
        (
            #"{"ProgramExecutionTemporarilyRestricted":{"account_index":4}}"#,
            .programExecutionTemporarilyRestricted(accountIndex: 4)
        ),
    ])
    func decodesKnownForms(json: String, expected: TransactionError) throws {
        let decoded = try JSONDecoder().decode(TransactionError.self, from: Data(json.utf8))
        #expect(decoded == expected)
        // Encoding gives back the same JSON.
        #expect(
            try JSONValue.parse(String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self))
                == JSONValue.parse(json))
    }

    @Test func keepsUnknownFormsAsRawJSON() throws {
        let unknown = try JSONDecoder().decode(
            TransactionError.self, from: Data(#"{"FutureError":{"b":[1,2],"a":true}}"#.utf8))
        #expect(unknown == .unknown(json: #"{"FutureError":{"a":true,"b":[1,2]}}"#))
        let odd = TransactionError(json: ["InstructionError": [0, ["NewVariant": 5]]])
        #expect(odd == .instruction(index: 0, .unknown(json: #"{"NewVariant":5}"#)))
        let malformed = TransactionError(json: ["InstructionError": "oops"])
        #expect(malformed == .unknown(json: #"{"InstructionError":"oops"}"#))
        #expect(TransactionError(json: 42) == .unknown(json: "42"))
    }

    @Test func helpersAndDescriptions() {
        #expect(TransactionError.named("BlockhashNotFound").isBlockhashNotFound)
        #expect(TransactionError.named("AlreadyProcessed").isAlreadyProcessed)
        #expect(TransactionError.named("InsufficientFundsForFee").isInsufficientFunds)
        #expect(TransactionError.insufficientFundsForRent(accountIndex: 1).isInsufficientFunds)
        #expect(
            TransactionError.instruction(index: 0, .custom(6003)).description
                == "instruction 0 failed: custom program error 6003 (0x1773)")
        #expect(TransactionError.named("AccountNotFound").customErrorCode == nil)
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(1), multiplier: 2, jitter: 0)
        #expect(policy.delay(afterAttempt: 1) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 2) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 4) == .milliseconds(800))
        #expect(policy.delay(afterAttempt: 10) == .seconds(1))
        // Retry-After wins when longer, up to maxRetryAfter.
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7)) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(600)) == .seconds(60))
        let jittered = RetryPolicy(initialDelay: .seconds(1), jitter: 0.5)
        for _ in 0..<20 {
            let wait = jittered.delay(afterAttempt: 1)
            #expect(wait >= .milliseconds(500) && wait <= .seconds(1), "shortened by up to half")
        }
    }

    @Test func redactsCredentials() {
        #expect(
            SolanaRPCClient.redact("https://user:pw@rpc.example.com:8899/path?api-key=abc#x")
                == "https://rpc.example.com:8899/path")
    }
}
