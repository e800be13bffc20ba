/// A 32-byte recent blockhash, the lifetime of a transaction.
public struct Blockhash: Hashable, Sendable, CustomStringConvertible {
    /// The 32 raw bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw bytes.
    public init<Bytes: Collection>(bytes: Bytes) throws(Base58ValueError) where Bytes.Element == UInt8 {
        self.bytes = try Base58ValueError.checked(bytes, length: 32, kind: "a blockhash")
    }

    /// Parses the base58 text an RPC node returns.
    public init(base58 text: String) throws(Base58ValueError) {
        self.bytes = try Base58ValueError.decoded(text, length: 32, kind: "a blockhash")
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
    public typealias ParseError = Base58ValueError

    /// Wraps 64 raw bytes.
    public init<Bytes: Collection>(bytes: Bytes) throws(ParseError) where Bytes.Element == UInt8 {
        self.bytes = try Base58ValueError.checked(bytes, length: Self.length, kind: "a signature")
    }

    /// Parses base58 text.
    public init(base58 text: String) throws(ParseError) {
        self.bytes = try Base58ValueError.decoded(text, length: Self.length, kind: "a signature")
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
