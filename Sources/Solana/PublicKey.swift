/// A 32-byte Solana address: an ed25519 public key or a program derived address.
public struct PublicKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The length of every Solana address, in bytes.
    public static let length = 32

    /// The 32 raw bytes.
    public let bytes: [UInt8]

    /// An address that is not well formed.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        /// The text is not base58.
        case invalidBase58(Base58.DecodingError)
        /// The decoded value does not have 32 bytes.
        case wrongLength(Int)

        public var description: String {
            switch self {
            case .invalidBase58(let error): "not a Solana address: \(error)"
            case .wrongLength(let count): "not a Solana address: decodes to \(count) bytes, expected 32"
            }
        }
    }

    /// Wraps 32 raw bytes.
    public init<Bytes: Collection>(bytes: Bytes) throws(ParseError) where Bytes.Element == UInt8 {
        guard bytes.count == Self.length else { throw .wrongLength(bytes.count) }
        self.bytes = Array(bytes)
    }

    /// Parses a base58 address.
    public init(base58 text: String) throws(ParseError) {
        let decoded: [UInt8]
        do {
            decoded = try Base58.decode(text)
        } catch {
            throw .invalidBase58(error)
        }
        try self.init(bytes: decoded)
    }

    /// The base58 text of the address.
    public var base58: String { Base58.encode(bytes) }

    public var description: String { base58 }

    public static func < (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// The System Program, `11111111111111111111111111111111`.
    public static let systemProgram = PublicKey(uncheckedBytes: [UInt8](repeating: 0, count: 32))

    /// Parses an address written in the source code, such as a program id; traps if the text is not one.
    ///
    /// Only for constants: parse addresses that come from outside with `init(base58:)`.
    public init(constant text: StaticString) {
        guard let key = try? PublicKey(base58: "\(text)") else { preconditionFailure("bad address constant \(text)") }
        self = key
    }

    /// Wraps bytes known to be 32 long.
    init(uncheckedBytes: [UInt8]) {
        precondition(uncheckedBytes.count == Self.length)
        self.bytes = uncheckedBytes
    }
}

extension PublicKey: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(base58: text)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(base58)
    }
}
