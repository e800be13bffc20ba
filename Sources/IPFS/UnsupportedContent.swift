/// A hash function or codec that a CID uses and this worker cannot verify or reassemble into a file.
public enum UnsupportedContent: Hashable, Sendable, CustomStringConvertible {
    /// A multihash function other than sha2-256, sha2-512 and identity.
    case hashFunction(UInt64)
    /// A content codec other than raw and dag-pb.
    case codec(UInt64)

    /// The hash functions that can be verified.
    public static let supportedHashFunctions = ["sha2-256", "sha2-512", "identity"]
    /// The codecs a file can be reassembled from.
    public static let supportedCodecs = ["raw", "dag-pb"]

    /// The multicodec code.
    public var code: UInt64 {
        switch self {
        case .hashFunction(let code), .codec(let code): code
        }
    }

    /// The multicodec's name, or `nil` for a code this module does not know.
    public var name: String? { MulticodecNames.name(of: code) }

    /// A sentence naming the hash function or codec, e.g. "hash function blake2b-256 (0xb220) cannot be
    /// verified by this worker; supported: sha2-256, sha2-512, identity".
    public var description: String {
        let label = MulticodecNames.label(of: code)
        switch self {
        case .hashFunction:
            return "hash function \(label) cannot be verified by this worker; supported: "
                + Self.supportedHashFunctions.joined(separator: ", ")
        case .codec:
            return "codec \(label) cannot be reassembled into a file by this worker; supported: "
                + Self.supportedCodecs.joined(separator: ", ")
        }
    }
}
