import AsyncHTTPClient
import Foundation
import NIOCore

/// The HTTP plumbing the publishers share: one multipart POST with retries, errors mapped to `PublishError`.
struct PublishingHTTP: Sendable {
    let service: String
    let client: HTTPClient
    let timeout: Duration
    let retry: RetryPolicy
    let sleep: @Sendable (Duration) async throws -> Void
    /// Secrets to scrub from any text that ends up in an error.
    let secrets: [String]

    /// Largest response body read (the answers are small JSON documents).
    static let responseLimit = 1 << 20

    /// POSTs `form` to `url` with `headers`; returns the body of a 2xx response.
    func post(url: String, headers: [(String, String)], form: MultipartForm) async throws(PublishError) -> [UInt8] {
        let exchange = HTTPExchange(
            client: client, timeout: timeout, retry: retry, sleep: sleep, now: { Date().timeIntervalSince1970 })
        let body = form.finishedBuffer()  // shared by every attempt (copy-on-write), never copied
        let result: HTTPResult
        do {
            result = try await exchange.perform(
                {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    for (name, value) in headers { request.headers.add(name: name, value: value) }
                    request.headers.add(name: "Content-Type", value: form.contentType)
                    request.body = .bytes(body)
                    return request
                }, bodyLimit: Self.responseLimit)
        } catch {
            switch error {
            case .timeout: throw .timeout(service: service)
            case .cancelled: throw .cancelled(service: service)
            case .tooLarge(let limit): throw .invalidResponse(service: service, detail: "response over \(limit) bytes")
            case .transport(let detail): throw .unreachable(service: service, detail: redact(detail))
            }
        }
        switch result.status {
        case 200..<300: return result.body
        case 401, 403:
            throw .unauthorized(service: service, status: result.status, message: redact(Self.message(result)))
        default:
            throw .httpStatus(service: service, status: result.status, message: redact(Self.message(result)))
        }
    }

    /// Removes every secret from `text`.
    func redact(_ text: String) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }

    /// The service's own words: `error.reason`/`error.details`, `error`, `message` or `Message` from a JSON
    /// body (Pinata, Kubo), else the body text.
    static func message(_ result: HTTPResult) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any] else {
            return result.message
        }
        if let error = object["error"] as? [String: Any] {
            let parts = [error["reason"], error["details"]].compactMap { $0 as? String }
            if !parts.isEmpty { return String(parts.joined(separator: ": ").prefix(300)) }
        }
        for key in ["error", "message", "Message"] {
            if let text = object[key] as? String { return String(text.prefix(300)) }
        }
        return result.message
    }
}
