import Foundation

/// A server-side filter for `getProgramAccounts` and `programSubscribe`.
public enum AccountFilter: Sendable, Hashable {
    /// How `memcmp` bytes travel in the request.
    public enum BytesEncoding: String, Sendable, Hashable {
        /// Base58 text (nodes refuse more than 128 encoded characters).
        case base58
        /// Base64 text, for longer comparisons.
        case base64
    }

    /// The account data is exactly this many bytes long.
    case dataSize(UInt64)
    /// The account data holds `bytes` at `offset`.
    case memcmp(offset: Int, bytes: [UInt8], encoding: BytesEncoding = .base58)

    /// The filter as JSON-RPC expects it.
    public var json: JSONValue {
        switch self {
        case .dataSize(let size):
            return ["dataSize": .number(size)]
        case .memcmp(let offset, let bytes, let encoding):
            var memcmp: [String: JSONValue] = ["offset": .integer(Int64(offset))]
            switch encoding {
            case .base58:
                memcmp["bytes"] = .string(Base58.encode(bytes))
            case .base64:
                memcmp["bytes"] = .string(Data(bytes).base64EncodedString())
                memcmp["encoding"] = "base64"
            }
            return ["memcmp": .object(memcmp)]
        }
    }
}

/// A window of account data to return instead of all of it.
public struct DataSlice: Sendable, Hashable {
    /// The first byte.
    public var offset: Int
    /// How many bytes.
    public var length: Int

    /// Creates a slice.
    public init(offset: Int, length: Int) {
        self.offset = offset
        self.length = length
    }

    var json: JSONValue { ["offset": .integer(Int64(offset)), "length": .integer(Int64(length))] }
}

/// How `sendTransaction` should treat a transaction.
public struct SendTransactionOptions: Sendable, Hashable {
    /// Skip the node's simulation before forwarding.
    public var skipPreflight: Bool
    /// The commitment the preflight simulation reads state at (the node's default is finalized).
    public var preflightCommitment: Commitment?
    /// How often the node itself re-forwards the transaction (`nil`: the node's default; 0: never).
    public var maxRetries: Int?
    /// The node must have reached this slot to accept the call.
    public var minContextSlot: UInt64?

    /// Creates options.
    public init(
        skipPreflight: Bool = false, preflightCommitment: Commitment? = nil, maxRetries: Int? = nil,
        minContextSlot: UInt64? = nil
    ) {
        self.skipPreflight = skipPreflight
        self.preflightCommitment = preflightCommitment
        self.maxRetries = maxRetries
        self.minContextSlot = minContextSlot
    }

    var json: JSONValue {
        var config: [String: JSONValue] = ["encoding": "base64", "skipPreflight": .bool(skipPreflight)]
        if let preflightCommitment { config["preflightCommitment"] = .string(preflightCommitment.rawValue) }
        if let maxRetries { config["maxRetries"] = .integer(Int64(maxRetries)) }
        if let minContextSlot { config["minContextSlot"] = .number(minContextSlot) }
        return .object(config)
    }
}

/// How `simulateTransaction` should run a transaction.
public struct SimulateTransactionOptions: Sendable, Hashable {
    /// Verify the signatures (conflicts with `replaceRecentBlockhash`).
    public var sigVerify: Bool
    /// Replace the blockhash with the latest one before simulating.
    public var replaceRecentBlockhash: Bool
    /// The commitment to simulate at.
    public var commitment: Commitment?

    /// Creates options.
    public init(sigVerify: Bool = false, replaceRecentBlockhash: Bool = false, commitment: Commitment? = nil) {
        self.sigVerify = sigVerify
        self.replaceRecentBlockhash = replaceRecentBlockhash
        self.commitment = commitment
    }
}
