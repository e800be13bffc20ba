import AsyncHTTPClient
import Foundation

/// Publishes to Pinata with `pinFileToIPFS`: the exact bytes as a file, CIDv0 (the shortest CID, which
/// matters for the Job account's 300-byte capacity), checked against the locally computed CID.
///
/// The JWT never appears in descriptions, reflection, logs or errors.
public struct PinataPublisher: ContentPublisher, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Pinata's production API.
    public static let defaultAPIURL = "https://api.pinata.cloud"

    /// "Pinata".
    public let serviceName = "Pinata"
    /// The API base URL.
    public let apiURL: String
    private let jwt: String
    private let http: PublishingHTTP

    /// A publisher.
    /// - Parameters:
    ///   - jwt: the Pinata JWT (sent as a bearer token, never shown).
    ///   - apiURL: the API base URL (`PINATA_API_URL`).
    ///   - timeout: deadline for the upload.
    ///   - retry: backoff on 429/5xx (re-uploading the same bytes is harmless: same CID).
    ///   - httpClient: the client to use (not shut down by the publisher).
    ///   - sleep: how to wait between retries.
    public init(
        jwt: String, apiURL: String = defaultAPIURL, timeout: Duration = .seconds(60),
        retry: RetryPolicy = RetryPolicy(), httpClient: HTTPClient = .shared,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.jwt = jwt.trimmed()
        self.apiURL = String(apiURL.trimmed().reversed().drop { $0 == "/" }.reversed())
        self.http = PublishingHTTP(
            service: "Pinata", client: httpClient, timeout: timeout, retry: retry, sleep: sleep, secrets: [self.jwt])
    }

    /// The metadata name the worker gives a job's result: `job_result_<job address>.json`.
    public static func resultName(jobAddress: String) -> String {
        "job_result_\(jobAddress).json"
    }

    /// Uploads `bytes` as file `name` (also the pin's metadata name) and returns its CIDv0.
    public func publish(_ bytes: [UInt8], name: String) async throws(PublishError) -> CID {
        let expected = UnixFSFileBuilder(layout: .v0).cid(of: bytes)
        var form = MultipartForm()
        form.append(
            name: "file", filename: name,
            contentType: name.hasSuffix(".json") ? "application/json" : "application/octet-stream",
            data: bytes)
        form.append(name: "pinataMetadata", contentType: "application/json", data: Self.json(["name": name]))
        form.append(name: "pinataOptions", contentType: "application/json", data: Self.json(["cidVersion": 0]))
        let body = try await http.post(
            url: "\(apiURL)/pinning/pinFileToIPFS", headers: [("Authorization", "Bearer \(jwt)")], form: form)
        struct Answer: Decodable {
            let ipfsHash: String
            enum CodingKeys: String, CodingKey { case ipfsHash = "IpfsHash" }
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(body)) else {
            throw .invalidResponse(
                service: serviceName,
                detail: http.redact("no IpfsHash in \(String(decoding: body.prefix(200), as: UTF8.self))"))
        }
        guard (try? CID(answer.ipfsHash)) == expected else {
            throw .cidMismatch(service: serviceName, expected: expected, returned: String(answer.ipfsHash.prefix(120)))
        }
        return expected
    }

    private static func json(_ object: [String: any Sendable]) -> [UInt8] {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map(Array.init)
            ?? Array("{}".utf8)
    }

    /// `Pinata(<api url>, JWT <redacted>)`.
    public var description: String { "Pinata(\(apiURL), JWT <redacted>)" }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// Reflection that hides the JWT (so `dump` shows no secret).
    public var customMirror: Mirror { Mirror(self, children: ["apiURL": apiURL, "jwt": "<redacted>"]) }
}
