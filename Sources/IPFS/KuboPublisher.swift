import AsyncHTTPClient
import Foundation

/// Publishes to a Kubo node through its RPC API (`/api/v0/add`, pinned, CIDv0, default chunker),
/// checking the returned `Hash` against the locally computed CID.
public struct KuboPublisher: ContentPublisher, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// "Kubo".
    public let serviceName = "Kubo"
    /// The RPC base URL (`IPFS_API_URL`, e.g. `http://127.0.0.1:5001`).
    public let apiURL: String
    private let authorization: String?
    private let http: PublishingHTTP

    /// A publisher.
    /// - Parameters:
    ///   - apiURL: the Kubo RPC base URL.
    ///   - authorization: an optional `Authorization` header value for a protected RPC API (never shown).
    ///   - timeout: deadline for the upload.
    ///   - retry: backoff on 429/5xx.
    ///   - httpClient: the client to use (not shut down by the publisher).
    ///   - sleep: how to wait between retries.
    public init(
        apiURL: String, authorization: String? = nil, timeout: Duration = .seconds(60),
        retry: RetryPolicy = RetryPolicy(), httpClient: HTTPClient = .shared,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.apiURL = String(apiURL.trimmed().reversed().drop { $0 == "/" }.reversed())
        self.authorization = authorization
        self.http = PublishingHTTP(
            service: "Kubo", client: httpClient, timeout: timeout, retry: retry, sleep: sleep,
            secrets: authorization.map { [$0] } ?? [])
    }

    /// Adds `bytes` as file `name`, pinned, and returns its CIDv0.
    public func publish(_ bytes: [UInt8], name: String) async throws(PublishError) -> CID {
        let expected = UnixFSFileBuilder(layout: .v0).cid(of: bytes)
        var form = MultipartForm()
        form.append(name: "file", filename: name, contentType: "application/octet-stream", data: bytes)
        let query = "pin=true&cid-version=0&raw-leaves=false&chunker=size-262144&hash=sha2-256"
        let body = try await http.post(
            url: "\(apiURL)/api/v0/add?\(query)", headers: authorization.map { [("Authorization", $0)] } ?? [],
            form: form)
        // One JSON object per line; the file's entry carries its Hash.
        struct Entry: Decodable {
            let hash: String?
            enum CodingKeys: String, CodingKey { case hash = "Hash" }
        }
        let hashes = body.split(separator: UInt8(ascii: "\n")).compactMap {
            (try? JSONDecoder().decode(Entry.self, from: Data($0)))?.hash
        }
        guard let returned = hashes.last else {
            throw .invalidResponse(
                service: serviceName,
                detail: http.redact("no Hash in \(String(decoding: body.prefix(200), as: UTF8.self))"))
        }
        guard (try? CID(returned)) == expected else {
            throw .cidMismatch(service: serviceName, expected: expected, returned: String(returned.prefix(120)))
        }
        return expected
    }

    /// `Kubo(<api url>)`.
    public var description: String { "Kubo(\(apiURL)\(authorization == nil ? "" : ", authorization <redacted>"))" }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// Reflection that hides the authorization header.
    public var customMirror: Mirror {
        Mirror(self, children: ["apiURL": apiURL, "authorization": authorization == nil ? "none" : "<redacted>"])
    }
}
