/// Why a CID (text or binary) is malformed.
public enum CIDError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text was empty.
    case empty
    /// The first character is not a multibase prefix (and the text is not a CIDv0).
    case badPrefix(Character)
    /// The multibase prefix is real but this module does not decode that base.
    case unsupportedBase(Character)
    /// The text after the prefix is not valid in the base it names.
    case badBaseEncoding(base: Character)
    /// A CIDv0 (its binary form starts with 0x12 0x20) was given multibase-encoded, which is not allowed.
    case multibaseEncodedV0
    /// The version is neither 0 nor 1.
    case badVersion(UInt64)
    /// The codec is not one of raw, dag-pb, dag-cbor or json (named by `UnsupportedContent.codec`).
    case unknownCodec(UInt64)
    /// The multihash function is not sha2-256, sha2-512 or identity (named by `UnsupportedContent.hashFunction`).
    case unsupportedHashFunction(UInt64)
    /// The digest length does not match the hash function.
    case wrongDigestLength(expected: Int, actual: Int)
    /// A CIDv0 must be a dag-pb sha2-256 multihash; this one is not.
    case v0RequiresSHA256DagPB
    /// Bytes remain after a complete CID.
    case trailingBytes(Int)
    /// The input ended in the middle of the CID.
    case truncated
    /// A varint is too long or not minimally encoded.
    case badVarint

    /// A sentence an operator understands.
    public var description: String {
        switch self {
        case .empty: "empty CID"
        case .badPrefix(let char): "unknown multibase prefix '\(char)' (and not a CIDv0 'Qm…' string)"
        case .unsupportedBase(let char):
            "multibase '\(char)' is not supported (use base58btc, base32, base16 or base64url)"
        case .badBaseEncoding(let base): "invalid characters or length for multibase '\(base)'"
        case .multibaseEncodedV0: "a CIDv0 must be written in plain base58 ('Qm…'), not multibase-encoded"
        case .badVersion(let version): "unsupported CID version \(version)"
        case .unknownCodec(let code): UnsupportedContent.codec(code).description
        case .unsupportedHashFunction(let code): UnsupportedContent.hashFunction(code).description
        case .wrongDigestLength(let expected, let actual):
            "digest is \(actual) bytes, the hash function needs \(expected)"
        case .v0RequiresSHA256DagPB: "a CIDv0 must name a dag-pb block hashed with sha2-256"
        case .trailingBytes(let count): "\(count) unexpected bytes after the CID"
        case .truncated: "CID is truncated"
        case .badVarint: "CID contains an invalid varint"
        }
    }
}

extension CIDError {
    /// The hash function or codec that cannot be handled, when that is why the CID was rejected.
    public var unsupportedContent: UnsupportedContent? {
        switch self {
        case .unsupportedHashFunction(let code): .hashFunction(code)
        case .unknownCodec(let code): .codec(code)
        default: nil
        }
    }
}
