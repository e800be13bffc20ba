/// An error a caller may retry: it says whether retrying can help and how long the server asked to wait.
public protocol RetryableError: Error {
    /// Whether the same call may succeed later (node busy, unreachable or behind).
    var isTransient: Bool { get }
    /// How long the server asked the client to wait before retrying, if it said.
    var retryAfter: Duration? { get }
}

/// A JSON-RPC 2.0 error object returned by a node.
public struct JSONRPCError: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The error code (JSON-RPC reserves -32768 to -32000; Solana uses -32001 to -32016).
    public var code: Int
    /// The node's message.
    public var message: String
    /// Structured details, if any.
    public var data: JSONValue?

    /// Creates an error object.
    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// `sendTransaction` preflight simulation failed; `data` holds the simulation result.
    public static let sendTransactionPreflightFailure = -32002
    /// The node is behind the cluster; `data` may hold `numSlotsBehind`.
    public static let nodeUnhealthy = -32005
    /// The node has not reached the requested `minContextSlot` yet.
    public static let minContextSlotNotReached = -32016

    /// A readable account of the value.
    public var description: String {
        var text = "JSON-RPC error \(code): \(message)"
        if let data, data != .null { text += " (data: \(Self.excerpt(data.description)))" }
        return text
    }

    static func excerpt(_ text: String, limit: Int = 300) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}

/// A preflight simulation failure (JSON-RPC error -32002) decoded into the transaction error and its logs.
public struct PreflightFailure: Sendable, Hashable, CustomStringConvertible {
    /// The node's message, e.g. "Transaction simulation failed: Error processing Instruction 0: ...".
    public var message: String
    /// Why the simulated transaction failed.
    public var error: TransactionError
    /// The program logs of the simulation.
    public var logs: [String]
    /// Compute units the simulation consumed, if reported.
    public var unitsConsumed: UInt64?

    /// Creates a preflight failure.
    public init(message: String, error: TransactionError, logs: [String], unitsConsumed: UInt64?) {
        self.message = message
        self.error = error
        self.logs = logs
        self.unitsConsumed = unitsConsumed
    }

    /// Decodes the `data` of a -32002 error; `nil` when it carries no `err`.
    init?(message: String, data: JSONValue?) {
        guard let data, let err = data["err"], err != .null else { return nil }
        self.message = message
        self.error = TransactionError(json: err)
        self.logs = data["logs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.unitsConsumed = data["unitsConsumed"]?.uint64Value
    }

    /// A readable account of the value.
    public var description: String {
        var text = "transaction rejected by preflight simulation: \(error)"
        if let unitsConsumed { text += " after \(unitsConsumed) compute units" }
        if let last = logs.last { text += "; last log line: \(last)" }
        return text
    }
}

/// What went wrong with a JSON-RPC call to a Solana node.
public enum SolanaRPCError: RetryableError, Sendable, Hashable, CustomStringConvertible {
    /// The endpoint URL is unusable (not http/https, no host).
    case invalidEndpoint(url: String, reason: String)
    /// The node could not be reached or the connection broke (refused, reset, DNS, TLS).
    case transport(url: String, reason: String)
    /// No complete answer arrived within the per-call time limit.
    case timeout(url: String, method: String, limit: Duration)
    /// The HTTP status was not 2xx. For 429, `retryAfter` is the parsed `Retry-After` header.
    case httpStatus(url: String, status: Int, retryAfter: Duration?, bodyExcerpt: String)
    /// The node answered with a JSON-RPC error.
    case rpc(method: String, JSONRPCError)
    /// `sendTransaction` was rejected by its preflight simulation (-32002).
    case preflightFailure(PreflightFailure)
    /// The response body exceeded the configured size limit.
    case responseTooLarge(url: String, method: String, limit: Int)
    /// The response was not the JSON the method returns.
    case undecodableResponse(url: String, method: String, reason: String, excerpt: String)
    /// The calling task was cancelled.
    case cancelled(method: String)

    /// Transport failures, timeouts, 429, 5xx and "node unhealthy/behind" are transient.
    public var isTransient: Bool {
        switch self {
        case .transport, .timeout: true
        case .httpStatus(_, let status, _, _): status == 429 || status == 408 || (500...599).contains(status)
        case .rpc(_, let error):
            error.code == JSONRPCError.nodeUnhealthy || error.code == JSONRPCError.minContextSlotNotReached
        case .invalidEndpoint, .preflightFailure, .responseTooLarge, .undecodableResponse, .cancelled: false
        }
    }

    /// The `Retry-After` delay a 429 or 503 response asked for.
    public var retryAfter: Duration? {
        guard case .httpStatus(_, _, let retryAfter, _) = self else { return nil }
        return retryAfter
    }

    /// The JSON-RPC error code, when the node answered with an error object.
    public var rpcErrorCode: Int? {
        switch self {
        case .rpc(_, let error): error.code
        case .preflightFailure: JSONRPCError.sendTransactionPreflightFailure
        default: nil
        }
    }

    /// A readable account of the value.
    public var description: String {
        switch self {
        case .invalidEndpoint(let url, let reason):
            "invalid Solana RPC endpoint \(url): \(reason)"
        case .transport(let url, let reason):
            "could not reach the Solana RPC node at \(url): \(reason)"
        case .timeout(let url, let method, let limit):
            "\(method) to \(url) got no complete answer within \(limit)"
        case .httpStatus(let url, let status, let retryAfter, let body):
            if status == 429 {
                "the Solana RPC node at \(url) is rate limiting (HTTP 429)"
                    + (retryAfter.map { "; it asks to retry after \($0)" } ?? "")
                    + (body.isEmpty ? "" : ": \(body)")
            } else {
                "the Solana RPC node at \(url) answered HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
            }
        case .rpc(let method, let error):
            "\(method) failed: \(error)"
        case .preflightFailure(let failure):
            failure.description
        case .responseTooLarge(let url, let method, let limit):
            "the answer to \(method) from \(url) is larger than the \(limit)-byte limit"
        case .undecodableResponse(let url, let method, let reason, let excerpt):
            "the answer to \(method) from \(url) could not be decoded (\(reason)): \(excerpt)"
        case .cancelled(let method):
            "\(method) was cancelled"
        }
    }
}
