import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A local WebSocket server inside the test process: each text message from a client is handed to a script
/// that may answer with any number of text messages.
final class TestWebSocketServer: Sendable {
    /// Sends text messages to one connected client.
    struct Replier: Sendable {
        let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>

        func send(_ text: String) async throws {
            try await outbound.write(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text)))
        }
    }

    typealias Script = @Sendable (_ message: String, _ reply: Replier) async throws -> Void

    private enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case notUpgraded
    }

    /// The open connections and how many were ever accepted.
    private final class Registry: Sendable {
        private let state = Mutex<(open: [any Channel], accepted: Int)>(([], 0))

        func add(_ channel: any Channel) {
            state.withLock {
                $0.open.append(channel)
                $0.accepted += 1
            }
        }

        var accepted: Int { state.withLock { $0.accepted } }

        func takeAll() -> [any Channel] {
            state.withLock { state in
                defer { state.open.removeAll() }
                return state.open
            }
        }
    }

    let port: Int
    private let serverTask: Task<Void, any Error>
    private let registry: Registry

    var url: String { "ws://127.0.0.1:\(port)/" }

    /// How many WebSocket connections were accepted so far.
    var connectionCount: Int { registry.accepted }

    private init(port: Int, serverTask: Task<Void, any Error>, registry: Registry) {
        self.port = port
        self.serverTask = serverTask
        self.registry = registry
    }

    /// Starts a server on a free port of 127.0.0.1 (or on `port`).
    static func start(port: Int = 0, script: @escaping Script) async throws -> TestWebSocketServer {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                        maxFrameSize: 1 << 20,
                        shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                .websocket(try NIOAsyncChannel(wrappingChannelSynchronously: channel))
                            }
                        })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                        configuration: .init(
                            upgradeConfiguration: .init(
                                upgraders: [upgrader],
                                notUpgradingCompletionHandler: { channel in
                                    channel.eventLoop.makeCompletedFuture { .notUpgraded }
                                })))
                }
            }
        let boundPort = server.channel.localAddress?.port ?? 0
        let registry = Registry()
        let task = Task {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await negotiation in inbound {
                        group.addTask {
                            guard case .websocket(let channel) = try? await negotiation.get() else { return }
                            registry.add(channel.channel)
                            try? await serve(channel, script: script)
                        }
                    }
                }
            }
        }
        return TestWebSocketServer(port: boundPort, serverTask: task, registry: registry)
    }

    /// Closes every open connection abruptly (no close handshake), as a crashing node would.
    func dropConnections() {
        for channel in registry.takeAll() { channel.close(promise: nil) }
    }

    /// Stops the server.
    func stop() async {
        dropConnections()
        serverTask.cancel()
        _ = await serverTask.result
    }

    private static func serve(_ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, script: Script) async throws {
        try await channel.executeThenClose { inbound, outbound in
            let replier = Replier(outbound: outbound)
            for try await frame in inbound {
                switch frame.opcode {
                case .text:
                    try await script(String(buffer: frame.unmaskedData), replier)
                case .ping:
                    try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData))
                case .connectionClose:
                    try await outbound.write(
                        WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData))
                    return
                default:
                    continue
                }
            }
        }
    }
}
