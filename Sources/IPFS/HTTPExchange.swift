import AsyncHTTPClient
import Foundation
import NIOCore
import Retry

/// A complete HTTP response with a body read up to a cap.
struct HTTPResult: Sendable {
    let status: Int
    /// The `Content-Type` header.
    let contentType: String?
    /// The `Retry-After` header.
    let retryAfter: String?
    let body: [UInt8]

    /// The media type without parameters, lower-cased (`application/vnd.ipld.car`).
    var mediaType: String? {
        contentType.map { String($0.split(separator: ";", maxSplits: 1).first ?? "").trimmed().lowercased() }
    }

    /// The body as text for an error message: at most 300 characters.
    var message: String {
        String(decoding: body.prefix(300), as: UTF8.self).trimmed()
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space.
    func trimmed() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

/// How one HTTP exchange failed before a response was complete.
enum HTTPFailure: Error, Hashable, Sendable {
    /// No complete response within the timeout.
    case timeout
    /// Connection refused, reset, DNS or TLS failure…
    case transport(String)
    /// The body (or its declared Content-Length) exceeded the cap.
    case tooLarge(limit: Int)
    /// The calling task was cancelled.
    case cancelled
}

/// One request/response with a whole-exchange deadline, a streaming size cap and retries on 429/5xx.
struct HTTPExchange: Sendable {
    let client: HTTPClient
    let timeout: Duration
    let retry: RetryPolicy
    let sleep: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Double

    /// Largest body kept from an error response (for its message).
    static let errorBodyLimit = 4_096

    /// Sends the request (rebuilt by `makeRequest` for each attempt), retrying 429/5xx per `retry`.
    /// Returns the last response, which may still be a 429 or 5xx when the retries ran out.
    func perform(
        _ makeRequest: () -> HTTPClientRequest, bodyLimit: Int,
        onRetry: (HTTPResult, Duration) -> Void = { _, _ in }
    ) async throws(HTTPFailure) -> HTTPResult {
        var attempt = 1
        while true {
            let result = try await once(makeRequest(), bodyLimit: bodyLimit)
            guard RetryPolicy.isRetryable(status: result.status) else { return result }
            let retryAfter = result.retryAfter.flatMap {
                RetryAfter.parse($0, now: Date(timeIntervalSince1970: now()))
            }
            guard let delay = retry.delay(afterAttempt: attempt, retryAfter: retryAfter) else { return result }
            onRetry(result, delay)
            do { try await sleep(delay) } catch { throw .cancelled }
            attempt += 1
        }
    }

    /// One request, its body streamed and aborted as soon as it exceeds `bodyLimit`.
    func once(_ request: HTTPClientRequest, bodyLimit: Int) async throws(HTTPFailure) -> HTTPResult {
        let client = self.client
        let timeout = self.timeout
        do {
            // AsyncHTTPClient's own deadline (head) fires first and names the cause (e.g. connection
            // refused while it kept retrying the connection); ours is the backstop that also bounds the body.
            return try await withDeadline(timeout + .milliseconds(250)) {
                let response = try await client.execute(request, timeout: TimeAmount(timeout))
                let status = Int(response.status.code)
                let ok = (200..<300).contains(status)
                let limit = ok ? bodyLimit : Self.errorBodyLimit
                if ok, let declared = response.headers.first(name: "content-length").flatMap(Int.init), declared > limit
                {
                    throw HTTPFailure.tooLarge(limit: limit)
                }
                var body: [UInt8] = []
                for try await buffer in response.body {
                    guard body.count + buffer.readableBytes <= limit else {
                        if ok { throw HTTPFailure.tooLarge(limit: limit) }
                        body += buffer.readableBytesView.prefix(limit - body.count)
                        break
                    }
                    body += buffer.readableBytesView
                }
                return HTTPResult(
                    status: status, contentType: response.headers.first(name: "content-type"),
                    retryAfter: response.headers.first(name: "retry-after"), body: body)
            }
        } catch let failure as HTTPFailure {
            throw failure
        } catch is DeadlineExceeded {
            throw .timeout
        } catch is CancellationError {
            throw .cancelled
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout: throw .timeout
            case .cancelled: throw Task.isCancelled ? .cancelled : .timeout
            default: throw .transport(String(describing: error))
            }
        } catch {
            throw .transport(String(describing: error))
        }
    }
}

/// Thrown by `withDeadline` when the operation did not finish in time.
struct DeadlineExceeded: Error {}

/// Runs `operation`, cancelling it and throwing `DeadlineExceeded` if it takes longer than `timeout`.
func withDeadline<T: Sendable>(
    _ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded() }
        return value
    }
}

extension TimeAmount {
    /// A NIO time amount from a Swift duration.
    init(_ duration: Duration) {
        self = .nanoseconds(duration.inNanoseconds)
    }
}
