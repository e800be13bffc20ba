import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A request as the fake server saw it.
struct SeenRequest: Sendable {
    let method: String
    let path: String
    let query: String
    let headers: [String: String]
    let body: [UInt8]

    /// A header by case-insensitive name.
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What the fake server answers.
struct FakeResponse: Sendable {
    var status = 200
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    /// When set, the body is streamed in chunks of this many bytes without a Content-Length.
    var streamChunk: Int?
    /// When set, the handler waits for this gate before answering (a gateway that hangs).
    var gate: Gate?

    static func ok(_ body: [UInt8], contentType: String) -> FakeResponse {
        FakeResponse(status: 200, headers: ["Content-Type": contentType], body: body)
    }

    static func status(_ code: Int, _ message: String = "", headers: [String: String] = [:]) -> FakeResponse {
        FakeResponse(status: code, headers: headers, body: Array(message.utf8))
    }
}

/// Holds a request until the test releases it.
actor Gate {
    private var released = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if released { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        released = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

/// Every request the fake server received, in order.
actor RequestLog {
    private(set) var requests: [SeenRequest] = []

    func append(_ request: SeenRequest) { requests.append(request) }

    func paths(prefix: String) -> [String] { requests.map(\.path).filter { $0.hasPrefix(prefix) } }
}

/// Runs `body` against a real HTTP server on 127.0.0.1 whose answers come from `handler`.
/// Several "gateways" share the server by path prefix (`<base>/a`, `<base>/b`).
func withFakeServer(
    _ handler: @escaping @Sendable (SeenRequest) async -> FakeResponse,
    _ body: @Sendable (_ baseURL: String, _ log: RequestLog) async throws -> Void
) async throws {
    let log = RequestLog()
    let router = Router()
    let respond: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let bytes = try await request.body.collect(upTo: 64 << 20)
        let seen = SeenRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers,
            body: Array(bytes.readableBytesView))
        await log.append(seen)
        let answer = await handler(seen)
        if let gate = answer.gate { await gate.wait() }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
        }
        let status = HTTPResponse.Status(code: answer.status)
        guard let chunk = answer.streamChunk else {
            return Response(
                status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let payload = answer.body
        return Response(
            status: status, headers: fields,
            body: ResponseBody { writer in
                for start in stride(from: 0, to: payload.count, by: chunk) {
                    try await writer.write(ByteBuffer(bytes: payload[start..<min(start + chunk, payload.count)]))
                }
                try await writer.finish(nil)
            })
    }
    router.get("**", use: respond)
    router.post("**", use: respond)
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    try await app.test(.live) { client in
        guard let port = client.port else { throw FakeServerError.noPort }
        try await body("http://127.0.0.1:\(port)", log)
    }
}

enum FakeServerError: Error {
    case noPort
}

/// Records the waits a component asks for instead of sleeping.
actor SleepRecorder {
    private(set) var delays: [Duration] = []

    func record(_ delay: Duration) { delays.append(delay) }

    nonisolated var sleep: @Sendable (Duration) async throws -> Void {
        { delay in await self.record(delay) }
    }
}
