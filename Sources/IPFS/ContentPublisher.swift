/// Stores bytes on IPFS and returns their CID, after checking the service stored exactly those bytes.
public protocol ContentPublisher: Sendable {
    /// The service's name for logs and errors ("Pinata", "Kubo").
    var serviceName: String { get }

    /// Publishes `bytes` as a file called `name` and returns its CIDv0, which is computed locally before the
    /// upload and compared with the service's answer.
    func publish(_ bytes: [UInt8], name: String) async throws(PublishError) -> CID
}

/// Why publishing failed. Messages name the service, the HTTP status and the service's message; they
/// never contain credentials.
public enum PublishError: Error, Hashable, Sendable, CustomStringConvertible {
    /// 401 or 403: the credentials are missing, wrong or lack permission (a configuration error).
    case unauthorized(service: String, status: Int, message: String)
    /// Any other unsuccessful status (429 and 5xx after the retries ran out).
    case httpStatus(service: String, status: Int, message: String)
    /// The service stored the content under a different CID than the one computed locally.
    case cidMismatch(service: String, expected: CID, returned: String)
    /// The response could not be understood.
    case invalidResponse(service: String, detail: String)
    /// No complete response within the timeout.
    case timeout(service: String)
    /// The service could not be reached.
    case unreachable(service: String, detail: String)
    /// The calling task was cancelled.
    case cancelled(service: String)

    /// True when trying again later may succeed: 429, 5xx, timeouts, unreachable, cancelled.
    public var isTransient: Bool {
        switch self {
        case .httpStatus(_, let status, _): RetryPolicy.isRetryable(status: status)
        case .timeout, .unreachable, .cancelled: true
        case .unauthorized, .cidMismatch, .invalidResponse: false
        }
    }

    /// True when trying again will not help without a change (credentials, service, configuration).
    public var isPermanent: Bool { !isTransient }

    /// A sentence an operator understands.
    public var description: String {
        switch self {
        case .unauthorized(let service, let status, let message):
            "\(service) rejected the credentials (HTTP \(status))" + Self.suffix(message)
                + "; check the configured token"
        case .httpStatus(let service, let status, let message):
            "\(service) answered HTTP \(status)" + Self.suffix(message)
        case .cidMismatch(let service, let expected, let returned):
            "\(service) returned CID \(returned) but the bytes uploaded have CID \(expected); refusing to use it"
        case .invalidResponse(let service, let detail): "\(service) sent an unexpected response: \(detail)"
        case .timeout(let service): "\(service) did not answer in time"
        case .unreachable(let service, let detail): "\(service) is unreachable: \(detail)"
        case .cancelled(let service): "publishing to \(service) was cancelled"
        }
    }

    private static func suffix(_ message: String) -> String {
        message.isEmpty ? "" : ": \(message)"
    }
}
