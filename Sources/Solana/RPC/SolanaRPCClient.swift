import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import Redaction
import Retry
import Synchronization

/// A typed JSON-RPC 2.0 client for a Solana node, over AsyncHTTPClient.
///
/// Every call has a time limit covering the whole exchange (connect, request, full response body) and a cap
/// on the response size enforced while the body streams in. Errors are `SolanaRPCError` values; with a
/// `retryPolicy` configured, transient ones (transport, timeout, 429, 5xx, node unhealthy) are retried.
public final class SolanaRPCClient: Sendable {
    /// How the client reaches its node.
    public struct Configuration: Sendable {
        /// The node's HTTP(S) JSON-RPC URL.
        public var endpoint: String
        /// The time limit for each call, from sending the request to having the whole response.
        public var timeout: Duration
        /// Responses with a larger body fail with `SolanaRPCError.responseTooLarge`.
        public var maxResponseBytes: Int
        /// The commitment for calls that take one when the caller gives none.
        public var defaultCommitment: Commitment
        /// When set, transient failures of `send` and `batch` are retried with this policy.
        public var retryPolicy: RetryPolicy?

        /// Creates a configuration.
        public init(
            endpoint: String,
            timeout: Duration = .seconds(30),
            maxResponseBytes: Int = 64 << 20,
            defaultCommitment: Commitment = .confirmed,
            retryPolicy: RetryPolicy? = nil
        ) {
            self.endpoint = endpoint
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.defaultCommitment = defaultCommitment
            self.retryPolicy = retryPolicy
        }
    }

    /// The configuration the client was created with.
    public let configuration: Configuration
    /// The endpoint as shown in errors and logs: without credentials, query or fragment.
    public let displayURL: String

    private let httpClient: HTTPClient
    private let logger: Logger
    private let nextID = Atomic<UInt64>(1)

    /// Creates a client. Without `httpClient`, a process-wide HTTP client is used that fails a request at once
    /// when the connection cannot be established (so that "connection refused" is reported as such, not as a
    /// timeout); a client passed in is not shut down by this object.
    public init(
        configuration: Configuration, httpClient: HTTPClient? = nil, logger: Logger = Logger(label: "solana.rpc")
    ) throws(SolanaRPCError) {
        guard let url = URL(string: configuration.endpoint), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw .invalidEndpoint(
                url: Self.redact(configuration.endpoint), reason: "expected an http:// or https:// URL")
        }
        guard configuration.maxResponseBytes > 0, configuration.timeout > .zero else {
            throw .invalidEndpoint(
                url: Self.redact(configuration.endpoint), reason: "the timeout and response size limit must be positive"
            )
        }
        self.configuration = configuration
        self.displayURL = Self.redact(configuration.endpoint)
        self.httpClient = httpClient ?? Self.sharedHTTPClient
        self.logger = logger
    }

    /// The process-wide default HTTP client; it lives as long as the process and is never shut down.
    private static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Creates a client for `endpoint` with default settings.
    public convenience init(endpoint: String) throws(SolanaRPCError) {
        try self.init(configuration: Configuration(endpoint: endpoint))
    }

    /// The endpoint as shown: without user info, query or fragment (API keys often travel there), and with a
    /// provider's key segment (QuickNode, Alchemy, …) replaced; see `CredentialRedaction.endpoint(_:)`.
    static func redact(_ endpoint: String) -> String {
        CredentialRedaction.endpoint(endpoint)
    }

    // MARK: - Calls

    /// Sends one call and decodes its result. `maxResponseBytes` replaces the configured cap on the answer's
    /// size for this call only (for the rare call whose answer is known to be large, such as a listing of
    /// addresses); `nil` keeps ``Configuration/maxResponseBytes``.
    public func send<R>(_ request: RPCRequest<R>, maxResponseBytes: Int? = nil) async throws(SolanaRPCError) -> R {
        try await withRetry(method: request.method) { () async throws(SolanaRPCError) -> R in
            try await self.sendOnce(request, maxResponseBytes: maxResponseBytes ?? self.configuration.maxResponseBytes)
        }
    }

    /// Sends calls of one result type as a single JSON-RPC batch; answers are matched to calls by id (nodes
    /// may answer in any order) and returned in call order. Throws only when the batch as a whole failed
    /// (transport, HTTP status, a body that is not a batch answer); each call's own error is in its `Result`.
    public func batch<R>(_ requests: [RPCRequest<R>]) async throws(SolanaRPCError) -> [Swift.Result<R, SolanaRPCError>]
    {
        guard !requests.isEmpty else { return [] }
        let label = "batch of \(requests.count) (\(Set(requests.map(\.method)).sorted().joined(separator: ", ")))"
        return try await withRetry(method: label) {
            () async throws(SolanaRPCError) -> [Swift.Result<R, SolanaRPCError>] in
            try await self.batchOnce(requests, label: label)
        }
    }

    /// Sends one call and returns the raw body of a successful answer, for the rare caller that reads a large
    /// answer without decoding it whole (``getProgramAccountAddresses(_:filters:commitment:)``). A JSON-RPC
    /// error answer (one without `"result"`) is thrown as for ``send(_:maxResponseBytes:)``.
    func sendRaw(method: String, params: [JSONValue], maxResponseBytes: Int) async throws(SolanaRPCError) -> Data {
        try await withRetry(method: method) { () async throws(SolanaRPCError) -> Data in
            let id = self.makeID()
            let body = try self.encode(self.callObject(id: id, method: method, params: params), method: method)
            let response = try await self.post(body, method: method, maxResponseBytes: maxResponseBytes)
            guard response.range(of: Data(#""result""#.utf8)) == nil else { return response }
            let envelope: RPCEnvelope<JSONValue>
            do {
                envelope = try JSONDecoder().decode(RPCEnvelope<JSONValue>.self, from: response)
            } catch {
                throw self.undecodable(method, describeDecodingError(error), response)
            }
            _ = try self.result(of: envelope, method: method, body: response).get()
            throw self.undecodable(method, "the answer has no result", response)
        }
    }

    private func withRetry<T>(
        method: String, _ operation: () async throws(SolanaRPCError) -> T
    ) async throws(SolanaRPCError) -> T {
        guard let policy = configuration.retryPolicy else { return try await operation() }
        return try await policy.run(operation) { error, attempt, wait in
            self.logger.warning(
                "retrying Solana RPC call",
                metadata: ["method": "\(method)", "attempt": "\(attempt)", "wait": "\(wait)", "error": "\(error)"])
        }
    }

    private func makeID() -> UInt64 {
        nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    private func callObject(id: UInt64, method: String, params: [JSONValue]) -> JSONValue {
        var object: [String: JSONValue] = ["jsonrpc": "2.0", "id": .number(id), "method": .string(method)]
        if !params.isEmpty { object["params"] = .array(params) }
        return .object(object)
    }

    private func sendOnce<R>(_ request: RPCRequest<R>, maxResponseBytes: Int) async throws(SolanaRPCError) -> R {
        let id = makeID()
        let body = try encode(
            callObject(id: id, method: request.method, params: request.params), method: request.method)
        let response = try await post(body, method: request.method, maxResponseBytes: maxResponseBytes)
        let envelope: RPCEnvelope<R>
        do {
            envelope = try JSONDecoder().decode(RPCEnvelope<R>.self, from: response)
        } catch {
            throw undecodable(request.method, describeDecodingError(error), response)
        }
        if case .result = envelope.outcome, envelope.id != id {
            throw undecodable(
                request.method, "the answer is for request id \(envelope.id.map(String.init) ?? "null"), not \(id)",
                response)
        }
        return try result(of: envelope, method: request.method, body: response).get()
    }

    private func batchOnce<R>(
        _ requests: [RPCRequest<R>], label: String
    ) async throws(SolanaRPCError) -> [Swift.Result<R, SolanaRPCError>] {
        let ids = requests.map { _ in makeID() }
        let calls = zip(ids, requests).map { callObject(id: $0, method: $1.method, params: $1.params) }
        let response = try await post(
            try encode(.array(calls), method: label), method: label, maxResponseBytes: configuration.maxResponseBytes)
        let envelopes: [RPCEnvelope<R>]
        do {
            envelopes = try JSONDecoder().decode([RPCEnvelope<R>].self, from: response)
        } catch {
            // A node that rejects the batch as a whole answers with a single error object.
            if let single = try? JSONDecoder().decode(RPCEnvelope<JSONValue>.self, from: response),
                case .error(let rpcError) = single.outcome
            {
                throw .rpc(method: label, rpcError)
            }
            throw undecodable(label, describeDecodingError(error), response)
        }
        var byID: [UInt64: RPCEnvelope<R>] = [:]
        for envelope in envelopes {
            if let id = envelope.id { byID[id] = envelope }
        }
        return zip(ids, requests).map { id, request in
            guard let envelope = byID[id] else {
                return .failure(undecodable(request.method, "the batch answer has no response for id \(id)", response))
            }
            return result(of: envelope, method: request.method, body: response)
        }
    }

    private func result<R>(of envelope: RPCEnvelope<R>, method: String, body: Data) -> Swift.Result<R, SolanaRPCError> {
        switch envelope.outcome {
        case .result(let value):
            return .success(value)
        case .error(let error):
            if error.code == JSONRPCError.sendTransactionPreflightFailure,
                let failure = PreflightFailure(message: error.message, data: error.data)
            {
                return .failure(.preflightFailure(failure))
            }
            return .failure(.rpc(method: method, error))
        case .undecodableResult(let reason):
            return .failure(undecodable(method, reason, body))
        }
    }

    private func undecodable(_ method: String, _ reason: String, _ body: Data) -> SolanaRPCError {
        .undecodableResponse(url: displayURL, method: method, reason: reason, excerpt: bodyExcerpt(body))
    }

    private func encode(_ value: JSONValue, method: String) throws(SolanaRPCError) -> Data {
        do {
            return try JSONEncoder().encode(value)
        } catch {
            // Only non-finite doubles fail to encode; no call builds those.
            throw .undecodableResponse(
                url: displayURL, method: method, reason: "the request could not be encoded: \(error)", excerpt: "")
        }
    }

    // MARK: - HTTP exchange

    /// POSTs `body` and returns the whole 2xx response body, within the time and size limits.
    private func post(_ body: Data, method: String, maxResponseBytes: Int) async throws(SolanaRPCError) -> Data {
        let limit = configuration.timeout
        let url = displayURL
        do {
            return try await withThrowingTaskGroup(of: Data.self) { group in
                group.addTask { try await self.exchange(body, method: method, maxBytes: maxResponseBytes) }
                group.addTask {
                    try await Task.sleep(for: limit)
                    throw SolanaRPCError.timeout(url: url, method: method, limit: limit)
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { throw CancellationError() }
                return first
            }
        } catch {
            throw classify(error, method: method)
        }
    }

    private func exchange(_ body: Data, method: String, maxBytes: Int) async throws -> Data {
        var request = HTTPClientRequest(url: configuration.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await httpClient.execute(
            request, timeout: Self.timeAmount(configuration.timeout), logger: logger)
        guard (200..<300).contains(response.status.code) else {
            let excerpt = try await Self.readPrefix(of: response.body, limit: 4096)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0, now: Date()) }
            throw SolanaRPCError.httpStatus(
                url: displayURL, status: Int(response.status.code), retryAfter: retryAfter,
                bodyExcerpt: bodyExcerpt(excerpt.readableBytesView))
        }
        if let declared = response.headers.first(name: "Content-Length").flatMap({ Int($0) }), declared > maxBytes {
            throw SolanaRPCError.responseTooLarge(url: displayURL, method: method, limit: maxBytes)
        }
        var collected = ByteBuffer()
        for try await chunk in response.body {
            guard collected.readableBytes + chunk.readableBytes <= maxBytes else {
                throw SolanaRPCError.responseTooLarge(url: displayURL, method: method, limit: maxBytes)
            }
            collected.writeImmutableBuffer(chunk)
        }
        return Data(buffer: collected)
    }

    private static func readPrefix(of body: HTTPClientResponse.Body, limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await chunk in body {
            collected.writeImmutableBuffer(chunk)
            if collected.readableBytes >= limit { break }
        }
        return collected
    }

    private func classify(_ error: any Error, method: String) -> SolanaRPCError {
        if let error = error as? SolanaRPCError { return error }
        if error is CancellationError { return .cancelled(method: method) }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return .timeout(url: displayURL, method: method, limit: configuration.timeout)
            case .cancelled:
                return .cancelled(method: method)
            default:
                return .transport(url: displayURL, reason: String(describing: error))
            }
        }
        return .transport(url: displayURL, reason: String(describing: error))
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.inNanoseconds)
    }
}
