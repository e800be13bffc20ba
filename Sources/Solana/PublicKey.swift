/// A 32-byte Solana address: an ed25519 public key or a program derived address.
public struct PublicKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The length of every Solana address, in bytes.
    public static let length = 32

    /// The 32 raw bytes.
    public let bytes: [UInt8]

    /// An address that is not well formed.
    public typealias ParseError = Base58ValueError

    static let kind = "a Solana address"

    /// Wraps 32 raw bytes.
    public init<Bytes: Collection>(bytes: Bytes) throws(ParseError) where Bytes.Element == UInt8 {
        self.bytes = try Base58ValueError.checked(bytes, length: Self.length, kind: Self.kind)
    }

    /// Parses a base58 address.
    public init(base58 text: String) throws(ParseError) {
        self.bytes = try Base58ValueError.decoded(text, length: Self.length, kind: Self.kind)
    }

    /// The base58 text of the address.
    public var base58: String { Base58.encode(bytes) }

    public var description: String { base58 }

    /// Hashes the 32 bytes in one call (the synthesized form combines them one by one; keys are hashed on every
    /// scheduler and journal lookup).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

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
