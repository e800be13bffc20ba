import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOFoundationCompat
import WSClient

/// A Solana PubSub (WebSocket JSON-RPC) client: one connection, many subscriptions.
///
/// `connect()` opens the connection; each `...Subscribe` call returns a `PubSubSubscription`. When the
/// connection drops, every subscription's sequence ends with `SolanaPubSubError.connectionClosed`; callers
/// reconnect with a new client (see `reconnectingProgramSubscription`).
public actor SolanaPubSubClient {
    /// How the client connects.
    public struct Configuration: Sendable {
        /// The ws:// or wss:// URL.
        public var url: String
        /// The time limit for a (un)subscribe call's answer.
        public var requestTimeout: Duration
        /// The largest message accepted (a program notification carries a whole account).
        public var maxMessageBytes: Int
        /// Ping the server this often and close the connection when it does not answer (`nil`: never).
        public var pingInterval: Duration?

        /// Creates a configuration.
        public init(
            url: String, requestTimeout: Duration = .seconds(10), maxMessageBytes: Int = 16 << 20,
            pingInterval: Duration? = .seconds(30)
        ) {
            self.url = url
            self.requestTimeout = requestTimeout
            self.maxMessageBytes = maxMessageBytes
            self.pingInterval = pingInterval
        }
    }

    /// Where notifications of one subscription go.
    private struct Route: Sendable {
        let unsubscribeMethod: String
        /// Delivers one notification message; returns true when the subscription is over (signatures).
        let deliver: @Sendable (Data) -> Bool
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct Pending {
        let method: String
        let continuation: CheckedContinuation<JSONValue, any Error>
        let route: Route?
        let timer: Task<Void, Never>
    }

    private enum State { case disconnected, connecting, connected }

    /// The configuration the client was created with.
    public let configuration: Configuration
    /// The URL as shown in errors and logs: without credentials, query or fragment.
    public let displayURL: String
    private let logger: Logger
    private var state = State.disconnected
    private var closing = false
    private var generation = 0
    private var nextID: UInt64 = 1
    private var outbound: WebSocketOutboundWriter?
    private var connectWaiter: CheckedContinuation<Void, any Error>?
    private var runTask: Task<Void, Never>?
    private var pending: [UInt64: Pending] = [:]
    private var routes: [UInt64: Route] = [:]

    /// Creates a client; call `connect()` next.
    public init(configuration: Configuration, logger: Logger = Logger(label: "solana.pubsub")) throws(SolanaPubSubError)
    {
        guard let url = URL(string: configuration.url), let scheme = url.scheme?.lowercased(),
            scheme == "ws" || scheme == "wss", url.host?.isEmpty == false
        else { throw .invalidURL(SolanaRPCClient.redact(configuration.url)) }
        self.configuration = configuration
        self.displayURL = SolanaRPCClient.redact(configuration.url)
        self.logger = logger
    }

    /// Whether the connection is open.
    public var isConnected: Bool { state == .connected }

    /// Opens the connection; returns once the WebSocket handshake is done.
    public func connect() async throws(SolanaPubSubError) {
        guard state == .disconnected else { return }
        state = .connecting
        closing = false
        generation += 1
        let current = generation
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                connectWaiter = continuation
                runTask = Task { await self.run(generation: current) }
            }
        } catch {
            throw error as? SolanaPubSubError ?? .connectionFailed(url: displayURL, reason: "\(error)")
        }
    }

    /// Closes the connection; open subscriptions end normally.
    public func close() async {
        closing = true
        if let outbound { try? await outbound.close(.normalClosure, reason: nil) }
        if state == .connecting { runTask?.cancel() }
        await runTask?.value
    }

    /// The URL without its user info, and that user info as a Basic `Authorization` value: the WebSocket
    /// client would read `ws://user:pass@host` as a host named after the user (and name it in its errors).
    static func splitCredentials(_ text: String) -> (url: String, authorization: String?) {
        guard var components = URLComponents(string: text), components.user != nil || components.password != nil
        else { return (text, nil) }
        let credentials = "\(components.user ?? ""):\(components.password ?? "")"
        components.user = nil
        components.password = nil
        return (components.string ?? text, "Basic " + Data(credentials.utf8).base64EncodedString())
    }

    private func run(generation current: Int) async {
        var wsConfiguration = WebSocketClientConfiguration(
            maxFrameSize: configuration.maxMessageBytes, closeTimeout: .seconds(5))
        if let ping = configuration.pingInterval { wsConfiguration.autoPing = .enabled(timePeriod: ping) }
        let maxBytes = configuration.maxMessageBytes
        let (url, authorization) = Self.splitCredentials(configuration.url)
        if let authorization { wsConfiguration.additionalHeaders[.authorization] = authorization }
        do {
            let closeFrame = try await WebSocketClient.connect(
                url: url, configuration: wsConfiguration, logger: logger
            ) { inbound, outbound, _ in
                await self.attach(outbound, generation: current)
                for try await message in inbound.messages(maxSize: maxBytes) {
                    await self.receive(message, generation: current)
                }
            }
            let reason =
                closeFrame.map { "the server closed it (code \($0.closeCode)\($0.reason.map { ", \($0)" } ?? ""))" }
                ?? "the server closed it"
            detach(generation: current, reason: reason)
        } catch {
            detach(generation: current, reason: "\(error)")
        }
    }

    private func attach(_ writer: WebSocketOutboundWriter, generation current: Int) {
        guard current == generation else { return }
        outbound = writer
        state = .connected
        connectWaiter?.resume()
        connectWaiter = nil
    }

    private func detach(generation current: Int, reason: String) {
        guard current == generation else { return }
        let wasConnected = state == .connected
        state = .disconnected
        outbound = nil
        if let waiter = connectWaiter {
            connectWaiter = nil
            waiter.resume(throwing: SolanaPubSubError.connectionFailed(url: displayURL, reason: reason))
        }
        let error = SolanaPubSubError.connectionClosed(url: displayURL, reason: reason)
        for (_, call) in pending {
            call.timer.cancel()
            call.continuation.resume(throwing: error)
        }
        pending.removeAll()
        for (_, route) in routes { route.finish(closing ? nil : error) }
        routes.removeAll()
        if wasConnected && !closing {
            logger.warning("Solana PubSub connection lost", metadata: ["reason": "\(reason)"])
        }
    }

    // MARK: - Calls

    private func call(_ method: String, params: [JSONValue], route: Route? = nil) async throws(SolanaPubSubError)
        -> JSONValue
    {
        guard state == .connected, let writer = outbound else { throw .notConnected(url: displayURL) }
        let id = nextID
        nextID += 1
        let request: JSONValue = [
            "jsonrpc": "2.0", "id": .number(id), "method": .string(method), "params": .array(params),
        ]
        let text = request.description
        let limit = configuration.requestTimeout
        do {
            return try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<JSONValue, any Error>) in
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    if !Task.isCancelled { self.expire(id) }
                }
                pending[id] = Pending(method: method, continuation: continuation, route: route, timer: timer)
                Task {
                    do {
                        try await writer.write(.text(text))
                    } catch {
                        self.fail(
                            id, with: .connectionClosed(url: self.displayURL, reason: "sending \(method): \(error)"))
                    }
                }
            }
        } catch {
            throw error as? SolanaPubSubError ?? .connectionClosed(url: displayURL, reason: "\(error)")
        }
    }

    private func expire(_ id: UInt64) {
        guard let call = pending[id] else { return }
        fail(id, with: .timeout(url: displayURL, method: call.method, limit: configuration.requestTimeout))
    }

    private func fail(_ id: UInt64, with error: SolanaPubSubError) {
        guard let call = pending.removeValue(forKey: id) else { return }
        call.timer.cancel()
        call.continuation.resume(throwing: error)
    }

    private struct InboundHeader: Decodable {
        struct Params: Decodable { var subscription: UInt64 }
        var id: UInt64?
        var result: JSONValue?
        var error: JSONRPCError?
        var method: String?
        var params: Params?
    }

    private func receive(_ message: WebSocketMessage, generation current: Int) {
        guard current == generation else { return }
        let data: Data
        switch message {
        case .text(let text): data = Data(text.utf8)
        case .binary(let buffer): data = Data(buffer: buffer)
        }
        guard let header = try? JSONDecoder().decode(InboundHeader.self, from: data) else {
            logger.warning("undecodable Solana PubSub message", metadata: ["message": "\(bodyExcerpt(data))"])
            return
        }
        if header.method != nil, let subscription = header.params?.subscription {
            if let route = routes[subscription], route.deliver(data) { routes[subscription] = nil }
            return
        }
        guard let id = header.id, let call = pending.removeValue(forKey: id) else { return }
        call.timer.cancel()
        if let error = header.error {
            call.continuation.resume(throwing: SolanaPubSubError.rpc(method: call.method, error))
        } else if let result = header.result {
            if let route = call.route, let subscription = result.uint64Value { routes[subscription] = route }
            call.continuation.resume(returning: result)
        } else {
            call.continuation.resume(
                throwing: SolanaPubSubError.undecodableResponse(
                    method: call.method, reason: "neither result nor error", excerpt: bodyExcerpt(data)))
        }
    }

    // MARK: - Subscriptions

    private struct NotificationBody<Value: Decodable>: Decodable {
        struct Params: Decodable { var result: Value }
        var params: Params
    }

    private func subscribe<Element: Decodable & Sendable>(
        _ method: String, unsubscribeMethod: String, params: [JSONValue], endsAfterFirst: Bool = false,
        as type: Element.Type
    ) async throws(SolanaPubSubError) -> PubSubSubscription<Element> {
        let (stream, continuation) = AsyncThrowingStream<Element, any Error>.makeStream()
        let logger = logger
        let route = Route(
            unsubscribeMethod: unsubscribeMethod,
            deliver: { data in
                do {
                    continuation.yield(
                        try JSONDecoder().decode(NotificationBody<Element>.self, from: data).params.result)
                } catch {
                    logger.warning(
                        "dropping an undecodable Solana PubSub notification",
                        metadata: ["method": "\(method)", "reason": "\(describeDecodingError(error))"])
                    return false
                }
                if endsAfterFirst { continuation.finish() }
                return endsAfterFirst
            },
            finish: { error in continuation.finish(throwing: error) })
        let result = try await call(method, params: params, route: route)
        guard let id = result.uint64Value else {
            throw .undecodableResponse(
                method: method, reason: "expected a subscription id", excerpt: result.description)
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { Task { await self.forget(subscriptionID: id) } }
        }
        return PubSubSubscription(id: id, stream: stream, client: self)
    }

    /// Stops routing a subscription whose consumer went away, and tells the node.
    private func forget(subscriptionID id: UInt64) async {
        guard let route = routes.removeValue(forKey: id), state == .connected else { return }
        _ = try? await call(route.unsubscribeMethod, params: [.number(id)])
    }

    /// Ends a subscription on the node and finishes its sequence. Unknown or already ended ids are ignored.
    public func unsubscribe(subscriptionID id: UInt64) async throws(SolanaPubSubError) {
        guard let route = routes.removeValue(forKey: id) else { return }
        route.finish(nil)
        guard state == .connected else { return }
        _ = try await call(route.unsubscribeMethod, params: [.number(id)])
    }

    /// Notifies about every change to an account `program` owns that passes the filters (base64 data).
    public func programSubscribe(
        _ program: PublicKey, filters: [AccountFilter] = [], commitment: Commitment = .confirmed
    ) async throws(SolanaPubSubError) -> PubSubSubscription<ProgramNotification> {
        var options: [String: JSONValue] = ["encoding": "base64", "commitment": .string(commitment.rawValue)]
        if !filters.isEmpty { options["filters"] = .array(filters.map(\.json)) }
        return try await subscribe(
            "programSubscribe", unsubscribeMethod: "programUnsubscribe",
            params: [.string(program.base58), .object(options)], as: ProgramNotification.self)
    }

    /// Notifies about every change to `account` (base64 data).
    public func accountSubscribe(_ account: PublicKey, commitment: Commitment = .confirmed)
        async throws(SolanaPubSubError) -> PubSubSubscription<AccountNotification>
    {
        try await subscribe(
            "accountSubscribe", unsubscribeMethod: "accountUnsubscribe",
            params: [.string(account.base58), ["encoding": "base64", "commitment": .string(commitment.rawValue)]],
            as: AccountNotification.self)
    }

    /// Notifies once, when the transaction reaches `commitment`; the sequence then ends.
    public func signatureSubscribe(_ signature: Signature, commitment: Commitment = .confirmed)
        async throws(SolanaPubSubError) -> PubSubSubscription<SignatureNotification>
    {
        try await subscribe(
            "signatureSubscribe", unsubscribeMethod: "signatureUnsubscribe",
            params: [.string(signature.base58), ["commitment": .string(commitment.rawValue)]], endsAfterFirst: true,
            as: SignatureNotification.self)
    }

    /// Notifies every time the node starts processing a new slot.
    public func slotSubscribe() async throws(SolanaPubSubError) -> PubSubSubscription<SlotNotification> {
        try await subscribe(
            "slotSubscribe", unsubscribeMethod: "slotUnsubscribe", params: [], as: SlotNotification.self)
    }
}
