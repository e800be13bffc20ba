/// Why one gateway did not deliver verified content.
public enum GatewayFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// No complete response within the request timeout.
    case timeout(gateway: String)
    /// The gateway could not be reached (connection refused, reset, DNS, TLS…).
    case unreachable(gateway: String, detail: String)
    /// 404 or 410: the gateway does not have the content (yet).
    case notFound(gateway: String)
    /// Any other unsuccessful status (429 and 5xx after the retries ran out, other 4xx).
    case httpStatus(gateway: String, status: Int, message: String)
    /// The response exceeded the size cap.
    case tooLarge(gateway: String, limit: Int)
    /// The gateway answered, but what it served does not prove the requested CID.
    case unverified(gateway: String, VerificationError)

    /// The gateway's base URL.
    public var gateway: String {
        switch self {
        case .timeout(let gateway), .unreachable(let gateway, _), .notFound(let gateway),
            .httpStatus(let gateway, _, _), .tooLarge(let gateway, _), .unverified(let gateway, _):
            gateway
        }
    }

    /// True when the failure is about the content itself (it does not verify or is too large), so asking
    /// again later will not help.
    public var isPermanent: Bool {
        switch self {
        case .tooLarge, .unverified: true
        case .timeout, .unreachable, .notFound, .httpStatus: false
        }
    }

    /// A sentence an operator understands.
    public var description: String {
        switch self {
        case .timeout(let gateway): "\(gateway): timed out"
        case .unreachable(let gateway, let detail): "\(gateway): unreachable (\(detail))"
        case .notFound(let gateway): "\(gateway): not found (HTTP 404)"
        case .httpStatus(let gateway, let status, let message):
            "\(gateway): HTTP \(status)" + (message.isEmpty ? "" : ": \(message)")
        case .tooLarge(let gateway, let limit): "\(gateway): response exceeds the \(limit)-byte limit"
        case .unverified(let gateway, let error): "\(gateway): content rejected: \(error.description)"
        }
    }
}

/// Why `fetch(cid:)` failed, classified so the caller can decide whether to try again later.
public enum RetrievalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The CID text is malformed.
    case invalidCID(String, CIDError)
    /// The CID names content that is not a file (dag-cbor, json).
    case unsupportedCodec(CID)
    /// The CID uses a hash function or codec this worker cannot verify (blake2b, sha3, dag-json…); no
    /// gateway was asked.
    case unsupported(UnsupportedContent)
    /// The DAG under the CID exceeds the retrieval budget. Found while walking blocks that verified, so every
    /// gateway would give the same answer: no further gateway is asked.
    case budgetExceeded(CID, RetrievalBudget.Breach)
    /// The CID carries its content inline (identity multihash) and that content is not a file within the
    /// budget (an inline node linking to blocks that are not inline, a malformed node…); no gateway was asked.
    case invalidInlineContent(CID, VerificationError)
    /// No gateway is configured.
    case noGateways
    /// Every gateway failed; the failures are listed in the order tried.
    case allGatewaysFailed(CID, [GatewayFailure])
    /// The calling task was cancelled.
    case cancelled

    /// True when retrying later cannot help: invalid CID, unsupported codec or hash function, a DAG over the
    /// budget, invalid inline content, no gateways, or content that failed verification or was too large at
    /// every gateway.
    public var isPermanent: Bool {
        switch self {
        case .invalidCID, .unsupportedCodec, .unsupported, .budgetExceeded, .invalidInlineContent, .noGateways: true
        case .allGatewaysFailed(_, let failures): !failures.isEmpty && failures.allSatisfy(\.isPermanent)
        case .cancelled: false
        }
    }

    /// True when retrying later may succeed (timeouts, 5xx, 429, unreachable gateways, not found yet).
    public var isTransient: Bool { !isPermanent }

    /// True when every gateway answered 404: the content may not have propagated yet (transient, but
    /// worth reporting as such).
    public var isNotFound: Bool {
        guard case .allGatewaysFailed(_, let failures) = self, !failures.isEmpty else { return false }
        return failures.allSatisfy { if case .notFound = $0 { true } else { false } }
    }

    /// A sentence an operator understands.
    public var description: String {
        switch self {
        case .invalidCID(let text, let error): "invalid CID \"\(text.prefix(120))\": \(error.description)"
        case .unsupportedCodec(let cid):
            "\(cid) is \(cid.codec.name) content, not a file: "
                + UnsupportedContent.codec(cid.codec.rawValue).description
        case .unsupported(let what): what.description
        case .budgetExceeded(let cid, let breach): "\(cid): \(breach)"
        case .invalidInlineContent(let cid, let error): "the content inline in \(cid) is rejected: \(error)"
        case .noGateways: "no IPFS gateway is configured"
        case .allGatewaysFailed(let cid, let failures):
            "could not retrieve \(cid) (\(isPermanent ? "permanent" : "transient")): "
                + failures.map(\.description).joined(separator: "; ")
        case .cancelled: "retrieval cancelled"
        }
    }
}
