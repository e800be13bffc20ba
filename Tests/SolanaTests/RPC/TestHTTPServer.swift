import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Solana

/// One HTTP request the test server received.
struct ReceivedRequest: Sendable {
    var body: [UInt8]

    /// The body parsed as JSON.
    var json: JSONValue? { try? JSONValue.parse(String(decoding: body, as: UTF8.self)) }
}

/// What the test server answers.
struct ScriptedResponse: Sendable {
    var status: HTTPResponseStatus = .ok
    var headers: [(String, String)] = []
    var body: [UInt8]
    /// Wait this long before answering.
    var delay: Duration?
    /// Send the body in pieces without a Content-Length (chunked transfer encoding).
    var chunked = false

    init(
        status: HTTPResponseStatus = .ok, headers: [(String, String)] = [], body: String, delay: Duration? = nil,
        chunked: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = Array(body.utf8)
        self.delay = delay
        self.chunked = chunked
    }
}

/// A local HTTP/1.1 server inside the test process that answers each request with a scripted response.
final class TestHTTPServer: Sendable {
    typealias Handler = @Sendable (ReceivedRequest) async -> ScriptedResponse

    let port: Int
    private let serverTask: Task<Void, any Error>

    var url: String { "http://127.0.0.1:\(port)/" }

    private init(port: Int, serverTask: Task<Void, any Error>) {
        self.port = port
        self.serverTask = serverTask
    }

    /// Starts a server on a free port of 127.0.0.1.
    static func start(handler: @escaping Handler) async throws -> TestHTTPServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? 0
        let task = Task {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { try? await serve(connection, handler: handler) }
                    }
                }
            }
        }
        return TestHTTPServer(port: port, serverTask: task)
    }

    /// Stops accepting and drops open connections.
    func stop() async {
        serverTask.cancel()
        _ = await serverTask.result
    }

    /// Runs `body` with a server, stopping it afterwards.
    static func with<T>(handler: @escaping Handler, _ body: (TestHTTPServer) async throws -> T) async throws -> T {
        let server = try await start(handler: handler)
        do {
            let value = try await body(server)
            await server.stop()
            return value
        } catch {
            await server.stop()
            throw error
        }
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, handler: Handler
    ) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head:
                    body = []
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    let response = await handler(ReceivedRequest(body: body))
                    if let delay = response.delay { try await Task.sleep(for: delay) }
                    var headers = HTTPHeaders(response.headers)
                    headers.replaceOrAdd(name: "Content-Type", value: "application/json")
                    if !response.chunked {
                        headers.replaceOrAdd(name: "Content-Length", value: "\(response.body.count)")
                    }
                    try await outbound.write(
                        .head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)))
                    if response.chunked {
                        var offset = 0
                        while offset < response.body.count {
                            let end = min(offset + 64 * 1024, response.body.count)
                            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body[offset..<end]))))
                            offset = end
                        }
                    } else {
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    }
                    try await outbound.write(.end(nil))
                }
            }
        }
    }
}

/// JSON-RPC answer builders in the exact shapes a validator sends.
enum RPCReply {
    static func result(_ id: JSONValue?, _ resultJSON: String) -> ScriptedResponse {
        ScriptedResponse(body: #"{"jsonrpc":"2.0","result":\#(resultJSON),"id":\#(id?.description ?? "null")}"#)
    }

    static func error(_ id: JSONValue?, code: Int, message: String, dataJSON: String? = nil) -> ScriptedResponse {
        let data = dataJSON.map { #","data":\#($0)"# } ?? ""
        return ScriptedResponse(
            body:
                #"{"jsonrpc":"2.0","error":{"code":\#(code),"message":"\#(message)"\#(data)},"id":\#(id?.description ?? "null")}"#
        )
    }

    /// `{"context":{"apiVersion":"2.1.16","slot":slot},"value":value}`.
    static func contextual(_ id: JSONValue?, slot: UInt64 = 341_197_053, _ valueJSON: String) -> ScriptedResponse {
        result(id, #"{"context":{"apiVersion":"2.1.16","slot":\#(slot)},"value":\#(valueJSON)}"#)
    }
}
