/// A 32-byte recent blockhash, the lifetime of a transaction.
public struct Blockhash: Hashable, Sendable, CustomStringConvertible {
    /// The 32 raw bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw bytes.
    public init<Bytes: Collection>(bytes: Bytes) throws(PublicKey.ParseError) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { throw .wrongLength(bytes.count) }
        self.bytes = Array(bytes)
    }

    /// Parses the base58 text an RPC node returns.
    public init(base58 text: String) throws(PublicKey.ParseError) {
        self.bytes = try PublicKey(base58: text).bytes
    }

    /// Wraps bytes known to be 32 long.
    init(uncheckedBytes: [UInt8]) {
        precondition(uncheckedBytes.count == 32)
        self.bytes = uncheckedBytes
    }

    /// The base58 text of the hash.
    public var base58: String { Base58.encode(bytes) }

    public var description: String { base58 }
}

/// A 64-byte ed25519 signature; the first signature of a transaction is its id.
public struct Signature: Hashable, Sendable, CustomStringConvertible {
    /// The length of an ed25519 signature, in bytes.
    public static let length = 64

    /// The 64 raw bytes.
    public let bytes: [UInt8]

    /// A signature that is not well formed.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        /// The text is not base58.
        case invalidBase58(Base58.DecodingError)
        /// The decoded value does not have 64 bytes.
        case wrongLength(Int)

        public var description: String {
            switch self {
            case .invalidBase58(let error): "not a signature: \(error)"
            case .wrongLength(let count): "not a signature: decodes to \(count) bytes, expected 64"
            }
        }
    }

    /// Wraps 64 raw bytes.
    public init<Bytes: Collection>(bytes: Bytes) throws(ParseError) where Bytes.Element == UInt8 {
        guard bytes.count == Self.length else { throw .wrongLength(bytes.count) }
        self.bytes = Array(bytes)
    }

    /// Parses base58 text.
    public init(base58 text: String) throws(ParseError) {
        let decoded: [UInt8]
        do {
            decoded = try Base58.decode(text)
        } catch {
            throw .invalidBase58(error)
        }
        try self.init(bytes: decoded)
    }

    /// The all-zero placeholder a transaction carries for a signature not yet made.
    public static let placeholder = Signature(uncheckedBytes: [UInt8](repeating: 0, count: length))

    /// Wraps bytes known to be 64 long.
    init(uncheckedBytes: [UInt8]) {
        precondition(uncheckedBytes.count == Self.length)
        self.bytes = uncheckedBytes
    }

    /// The base58 text of the signature.
    public var base58: String { Base58.encode(bytes) }

    public var description: String { base58 }
}
