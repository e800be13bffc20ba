import AsyncHTTPClient
import Foundation
import Logging

/// Fetches a file by CID and returns it only once it is proven to have that CID.
public protocol ContentRetrieving: Sendable {
    /// The verified bytes of the file (or raw block) `cid` names.
    func fetch(cid: CID) async throws(RetrievalError) -> [UInt8]
}

/// Verified retrieval from HTTP gateways, tried in turn.
///
/// For each gateway: a raw CID is asked for with `?format=raw`, a dag-pb CID with `?format=car`
/// (trustless responses: every block is checked against its CID and the file reassembled from the DAG).
/// A gateway that ignores the format and serves plain bytes is accepted only when the bytes hash to the
/// CID under Kubo's layout (v0, or v1 with raw leaves). 429/5xx are retried with capped exponential
/// backoff honouring `Retry-After`; anything that fails or does not verify moves on to the next gateway,
/// except a DAG that exceeds the `RetrievalBudget` (the same at every gateway) and cancellation.
///
/// Identity CIDs carry their content inline and are answered without any request; CIDs using a hash function
/// or codec that cannot be verified are refused at once, naming it.
public struct GatewayFetcher: ContentRetrieving {
    /// Default cap on file size (the worker passes `MAX_CODE_BYTES`).
    public static let defaultMaxBytes = 1 << 20

    /// Gateway base URLs, tried in order.
    public let gateways: [String]
    /// Limits on the verification work for one file (its `maxBytes` is the file size cap).
    public let budget: RetrievalBudget
    /// Largest file accepted, in bytes (`budget.maxBytes`).
    public var maxBytes: Int { budget.maxBytes }
    /// Deadline for one whole request (head and body).
    public let requestTimeout: Duration
    /// Retries on 429/5xx at each gateway.
    public let retry: RetryPolicy
    private let client: HTTPClient
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let now: @Sendable () -> Double

    /// A fetcher with the default `RetrievalBudget` for `maxBytes`.
    /// - Parameters:
    ///   - gateways: base URLs such as `https://gateway.pinata.cloud`; a trailing `/` or `/ipfs` is dropped.
    ///   - maxBytes: largest file accepted; a CAR may be up to `2 * maxBytes + 64 KiB` (block framing).
    ///   - requestTimeout: deadline for each request, body included.
    ///   - retry: backoff on 429/5xx.
    ///   - httpClient: the client to use (not shut down by the fetcher).
    ///   - logger: where gateway failures are reported.
    ///   - sleep: how to wait between retries (tests record instead of sleeping).
    ///   - now: the current time in seconds since 1970, for `Retry-After` dates.
    public init(
        gateways: [String], maxBytes: Int = defaultMaxBytes, requestTimeout: Duration = .seconds(30),
        retry: RetryPolicy = RetryPolicy(), httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "cloudmesh.ipfs.gateway"),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.init(
            gateways: gateways, budget: RetrievalBudget(maxBytes: maxBytes), requestTimeout: requestTimeout,
            retry: retry, httpClient: httpClient, logger: logger, sleep: sleep, now: now)
    }

    /// A fetcher.
    /// - Parameters:
    ///   - gateways: base URLs such as `https://gateway.pinata.cloud`; a trailing `/` or `/ipfs` is dropped.
    ///   - budget: limits on link visits, distinct blocks, depth and file bytes; a CAR may be up to
    ///     `2 * budget.maxBytes + 64 KiB` (block framing).
    ///   - requestTimeout: deadline for each request, body included.
    ///   - retry: backoff on 429/5xx.
    ///   - httpClient: the client to use (not shut down by the fetcher).
    ///   - logger: where gateway failures are reported.
    ///   - sleep: how to wait between retries (tests record instead of sleeping).
    ///   - now: the current time in seconds since 1970, for `Retry-After` dates.
    public init(
        gateways: [String], budget: RetrievalBudget, requestTimeout: Duration = .seconds(30),
        retry: RetryPolicy = RetryPolicy(), httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "cloudmesh.ipfs.gateway"),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.gateways = gateways.map(Self.normalize).filter { !$0.isEmpty }
        self.budget = budget
        self.requestTimeout = requestTimeout
        self.retry = retry
        self.client = httpClient
        self.logger = logger
        self.sleep = sleep
        self.now = now
    }

    /// Splits a comma-separated gateway list (as in `IPFS_GATEWAY_URL`).
    public static func gatewayList(_ commaSeparated: String) -> [String] {
        commaSeparated.split(separator: ",").map { normalize(String($0)) }.filter { !$0.isEmpty }
    }

    private static func normalize(_ url: String) -> String {
        var text = url.trimmed()
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/ipfs") { text.removeLast(5) }
        return text
    }

    /// Largest CAR accepted for a file of at most `maxBytes`.
    public var maxCARBytes: Int { Self.saturating(Self.saturating(maxBytes, plus: maxBytes), plus: 65_536) }

    private static func saturating(_ value: Int, plus other: Int) -> Int {
        let (sum, overflow) = value.addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    /// Parses `text` and fetches it. A CID using a hash function or codec that cannot be verified is refused
    /// as `unsupported`, naming it.
    public func fetch(cid text: String) async throws(RetrievalError) -> [UInt8] {
        let cid: CID
        do { cid = try CID(text.trimmed()) } catch {
            if let unsupported = error.unsupportedContent { throw .unsupported(unsupported) }
            throw .invalidCID(text, error)
        }
        return try await fetch(cid: cid)
    }

    /// The verified bytes of the file `cid` names, from the first gateway that proves them (or from the CID
    /// itself for an identity CID, without any request).
    public func fetch(cid: CID) async throws(RetrievalError) -> [UInt8] {
        guard cid.codec == .raw || cid.codec == .dagPB else { throw .unsupportedCodec(cid) }
        if cid.multihash.function == .identity { return try inline(cid) }
        guard !gateways.isEmpty else { throw .noGateways }
        var failures: [GatewayFailure] = []
        for gateway in gateways {
            if Task.isCancelled { throw .cancelled }
            do {
                let bytes = try await fetch(cid: cid, from: gateway)
                logger.debug("fetched \(cid) from \(gateway)", metadata: ["bytes": "\(bytes.count)"])
                return bytes
            } catch {
                switch error {
                case .unverified(_, .budgetExceeded(let breach)):
                    logger.warning(
                        "the DAG exceeds the retrieval budget",
                        metadata: ["cid": "\(cid)", "gateway": "\(gateway)", "breach": "\(breach)"])
                    throw .budgetExceeded(cid, breach)
                case .unverified(_, .cancelled): throw .cancelled
                default: break
                }
                if case .unverified = error {
                    logger.warning(
                        "gateway served content that does not verify", metadata: ["cid": "\(cid)", "error": "\(error)"])
                } else {
                    logger.info("gateway failed", metadata: ["cid": "\(cid)", "error": "\(error)"])
                }
                failures.append(error)
            }
        }
        if Task.isCancelled { throw .cancelled }
        throw .allGatewaysFailed(cid, failures)
    }

    /// The file inside an identity CID: verified against the budget, never asking a gateway.
    private func inline(_ cid: CID) throws(RetrievalError) -> [UInt8] {
        do {
            return try VerifiedDAG.file(root: cid, blocks: [], budget: budget)
        } catch {
            switch error {
            case .budgetExceeded(let breach): throw .budgetExceeded(cid, breach)
            case .cancelled: throw .cancelled
            default: throw .invalidInlineContent(cid, error)
            }
        }
    }

    private func fetch(cid: CID, from gateway: String) async throws(GatewayFailure) -> [UInt8] {
        let trustless = cid.codec == .raw ? TrustlessFormat.raw : .car
        let limit = trustless == .car ? maxCARBytes : Self.saturating(maxBytes, plus: 1_024)
        var result = try await get(gateway: gateway, cid: cid, format: trustless, bodyLimit: limit)
        if [400, 406, 415, 501].contains(result.status) {
            // The gateway does not do trustless responses: ask for the plain file and recompute its CID.
            result = try await get(gateway: gateway, cid: cid, format: nil, bodyLimit: maxBytes)
        }
        switch result.status {
        case 200..<300:
            do { return try await verifyOffPool(result, cid: cid) } catch .tooLarge(let limit) {
                throw .tooLarge(gateway: gateway, limit: limit)
            } catch {
                throw .unverified(gateway: gateway, error)
            }
        case 404, 410: throw .notFound(gateway: gateway)
        default: throw .httpStatus(gateway: gateway, status: result.status, message: result.message)
        }
    }

    private enum TrustlessFormat: String {
        case raw
        case car
    }

    private func get(gateway: String, cid: CID, format: TrustlessFormat?, bodyLimit: Int) async throws(GatewayFailure)
        -> HTTPResult
    {
        let exchange = HTTPExchange(client: client, timeout: requestTimeout, retry: retry, sleep: sleep, now: now)
        let url = "\(gateway)/ipfs/\(cid)" + (format.map { "?format=\($0.rawValue)" } ?? "")
        do {
            return try await exchange.perform(
                {
                    var request = HTTPClientRequest(url: url)
                    switch format {
                    case .car: request.headers.add(name: "Accept", value: "application/vnd.ipld.car")
                    case .raw: request.headers.add(name: "Accept", value: "application/vnd.ipld.raw")
                    case nil: request.headers.add(name: "Accept", value: "application/octet-stream, */*;q=0.5")
                    }
                    return request
                },
                bodyLimit: bodyLimit,
                onRetry: { result, delay in
                    logger.info(
                        "gateway asked to retry",
                        metadata: ["gateway": "\(gateway)", "status": "\(result.status)", "delay": "\(delay)"])
                })
        } catch {
            switch error {
            case .timeout: throw .timeout(gateway: gateway)
            case .tooLarge(let limit): throw .tooLarge(gateway: gateway, limit: limit)
            case .transport(let detail): throw .unreachable(gateway: gateway, detail: detail)
            case .cancelled: throw .unreachable(gateway: gateway, detail: "cancelled")
            }
        }
    }

    /// Checks a successful response on a thread of its own: hashing and walking a DAG is CPU work bounded by
    /// the budget, and on the cooperative pool (one thread per core) a few hostile DAGs would stall every task
    /// of the process while they are walked.
    private func verifyOffPool(_ result: HTTPResult, cid: CID) async throws(VerificationError) -> [UInt8] {
        try await VerificationThread.run { cancellation throws(VerificationError) in
            try verify(result, cid: cid, cancellation: cancellation)
        }
    }

    /// Checks a successful response: CAR, raw block or plain file, by media type.
    private func verify(_ result: HTTPResult, cid: CID, cancellation: VerificationCancellation)
        throws(VerificationError)
        -> [UInt8]
    {
        switch result.mediaType {
        case "application/vnd.ipld.car":
            return try VerifiedDAG.file(root: cid, carBytes: result.body, budget: budget, cancellation: cancellation)
        case "application/vnd.ipld.raw":
            return try VerifiedDAG.file(
                root: cid, blocks: [Block(cid: cid, data: result.body)], budget: budget, cancellation: cancellation)
        default:
            return try Self.verifyPlain(result.body, cid: cid, maxBytes: maxBytes)
        }
    }

    /// Accepts plain file bytes only when Kubo's layout gives them the requested CID. A v1 dag-pb CID is
    /// tried with raw leaves (Kubo's `--cid-version=1`) and with the v0 DAG (same multihash as v0).
    static func verifyPlain(_ bytes: [UInt8], cid: CID, maxBytes: Int) throws(VerificationError) -> [UInt8] {
        guard bytes.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        let computed: CID
        switch cid.codec {
        case .raw:
            if cid.matches(bytes) { return bytes }
            computed = CID.v1(of: bytes, codec: .raw, hash: cid.multihash.function)
        case .dagPB:
            let v0 = UnixFSFileBuilder(layout: .v0).cid(of: bytes)
            if v0.multihash == cid.multihash { return bytes }
            let v1 = UnixFSFileBuilder(layout: .v1RawLeaves).cid(of: bytes)
            if v1 == cid { return bytes }
            computed = cid.version == .v0 ? v0 : v1
        case .dagCBOR, .json:
            throw .notAFile(cid, "codec \(cid.codec.name) does not hold UnixFS file data")
        }
        throw .contentMismatch(expected: cid, computed: computed)
    }
}
