import Foundation
import Solana
import Synchronization

/// Thread-safe storage of what a scripted server saw.
final class Recorder: Sendable {
    private let calls = Mutex<[JSONValue]>([])

    func record(_ call: JSONValue) { calls.withLock { $0.append(call) } }

    var all: [JSONValue] { calls.withLock { $0 } }

    func calls(of method: String) -> [JSONValue] { all.filter { $0["method"] == .string(method) } }

    func count(of method: String) -> Int { calls(of: method).count }
}

/// A counter shared between a test and its scripted server.
final class Counter: Sendable {
    private let value = Mutex(0)

    /// Adds one and returns the new value.
    @discardableResult func increment() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }

    var current: Int { value.withLock { $0 } }
}

/// A server handler that answers single calls by method name, recording each call.
func methodRouter(
    recorder: Recorder = Recorder(),
    _ route: @escaping @Sendable (_ method: String, _ params: [JSONValue], _ id: JSONValue?) -> ScriptedResponse
) -> TestHTTPServer.Handler {
    { request in
        guard let call = request.json, case .string(let method) = call["method"] else {
            return RPCReply.error(nil, code: -32700, message: "Parse error")
        }
        recorder.record(call)
        return route(method, call["params"]?.arrayValue ?? [], call["id"])
    }
}

func makeClient(
    _ server: TestHTTPServer, timeout: Duration = .seconds(5), maxResponseBytes: Int = 1 << 20,
    retryPolicy: RetryPolicy? = nil
) throws(SolanaRPCError) -> SolanaRPCClient {
    try SolanaRPCClient(
        configuration: .init(
            endpoint: server.url, timeout: timeout, maxResponseBytes: maxResponseBytes, retryPolicy: retryPolicy))
}

/// Fixed test values.
enum Fixture {
    static let program = key(7)
    static let owner = key(9)
    static let account = key(3)
    static let blockhash = try! Blockhash(bytes: [UInt8](repeating: 0x42, count: 32))
    static let signature = try! Signature(bytes: (0..<64).map { UInt8($0) })

    static func key(_ fill: UInt8) -> PublicKey { try! PublicKey(bytes: [UInt8](repeating: fill, count: 32)) }

    /// An account object as `getAccountInfo` returns it, with base64 data.
    static func accountJSON(data: [UInt8], owner: PublicKey = owner, lamports: UInt64 = 1_461_600) -> String {
        #"{"data":["\#(Data(data).base64EncodedString())","base64"],"executable":false,"lamports":\#(lamports),"owner":"\#(owner.base58)","rentEpoch":18446744073709551615,"space":\#(data.count)}"#
    }
}

/// Runs `body` and returns the `SolanaRPCError` it throws, or nil.
func rpcError<T>(_ body: () async throws(SolanaRPCError) -> T) async -> SolanaRPCError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}
