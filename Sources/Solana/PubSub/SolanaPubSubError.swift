/// What went wrong with a Solana PubSub (WebSocket) connection or subscription.
public enum SolanaPubSubError: RetryableError, Sendable, Hashable, CustomStringConvertible {
    /// The URL is not a ws:// or wss:// URL.
    case invalidURL(String)
    /// The WebSocket connection could not be opened.
    case connectionFailed(url: String, reason: String)
    /// The connection closed or broke; every subscription on it has ended.
    case connectionClosed(url: String, reason: String)
    /// A call was made while not connected.
    case notConnected(url: String)
    /// No answer to a (un)subscribe call arrived within the time limit.
    case timeout(url: String, method: String, limit: Duration)
    /// The node refused the call.
    case rpc(method: String, JSONRPCError)
    /// The node's answer was not what the method returns.
    case undecodableResponse(method: String, reason: String, excerpt: String)

    /// Connection trouble and timeouts are transient: reconnect and subscribe again.
    public var isTransient: Bool {
        switch self {
        case .connectionFailed, .connectionClosed, .notConnected, .timeout: true
        case .rpc(_, let error): error.code == JSONRPCError.nodeUnhealthy
        case .invalidURL, .undecodableResponse: false
        }
    }

    /// PubSub servers never ask for a delay.
    public var retryAfter: Duration? { nil }

    /// A readable account of the value.
    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid Solana PubSub URL \(url): expected ws:// or wss://"
        case .connectionFailed(let url, let reason): "could not open the Solana PubSub connection to \(url): \(reason)"
        case .connectionClosed(let url, let reason): "the Solana PubSub connection to \(url) closed: \(reason)"
        case .notConnected(let url): "not connected to the Solana PubSub endpoint \(url)"
        case .timeout(let url, let method, let limit): "\(method) on \(url) got no answer within \(limit)"
        case .rpc(let method, let error): "\(method) failed: \(error)"
        case .undecodableResponse(let method, let reason, let excerpt):
            "the answer to \(method) could not be decoded (\(reason)): \(excerpt)"
        }
    }
}
