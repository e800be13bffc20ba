import Crypto

/// A self-describing hash: function code, digest length and digest.
public struct Multihash: Hashable, Sendable {
    /// The hash functions this module understands.
    public enum Function: UInt64, Sendable {
        /// The identity "hash": the digest is the content itself (inline blocks).
        case identity = 0x00
        /// SHA2-256, 32-byte digests: what Kubo uses by default.
        case sha256 = 0x12
        /// SHA2-512, 64-byte digests (Kubo's `--hash=sha2-512`).
        case sha512 = 0x13

        /// The digest length the function produces (`nil` for identity, whose digest is the content).
        public var digestLength: Int? {
            switch self {
            case .identity: nil
            case .sha256: 32
            case .sha512: 64
            }
        }

        /// The multicodec table's name.
        public var name: String {
            switch self {
            case .identity: "identity"
            case .sha256: "sha2-256"
            case .sha512: "sha2-512"
            }
        }
    }

    /// The hash function.
    public let function: Function
    /// The digest bytes.
    public let digest: [UInt8]

    /// A multihash from its parts; SHA2-256 digests must be 32 bytes, SHA2-512 digests 64.
    public init(function: Function, digest: [UInt8]) throws(CIDError) {
        if let expected = function.digestLength, digest.count != expected {
            throw .wrongDigestLength(expected: expected, actual: digest.count)
        }
        self.function = function
        self.digest = digest
    }

    /// The SHA2-256 multihash of `bytes`.
    public static func sha256(of bytes: [UInt8]) -> Multihash {
        Multihash(unchecked: .sha256, Array(SHA256.hash(data: bytes)))
    }

    /// The SHA2-512 multihash of `bytes`.
    public static func sha512(of bytes: [UInt8]) -> Multihash {
        Multihash(unchecked: .sha512, Array(SHA512.hash(data: bytes)))
    }

    /// The identity multihash of `bytes` (the bytes are the digest).
    public static func identity(of bytes: [UInt8]) -> Multihash {
        Multihash(unchecked: .identity, bytes)
    }

    private init(unchecked function: Function, _ digest: [UInt8]) {
        self.function = function
        self.digest = digest
    }

    /// Binary form: function code, digest length (both varints), digest.
    public var bytes: [UInt8] {
        var out = Varint.encode(function.rawValue)
        Varint.append(UInt64(digest.count), to: &out)
        return out + digest
    }

    /// True when `block` hashes to this multihash.
    public func matches(_ block: [UInt8]) -> Bool {
        switch function {
        case .identity: block == digest
        case .sha256: Array(SHA256.hash(data: block)) == digest
        case .sha512: Array(SHA512.hash(data: block)) == digest
        }
    }

    /// Reads one multihash from `reader`.
    static func read(from reader: inout ByteReader) throws(CIDError) -> Multihash {
        let code: UInt64
        let length: UInt64
        do {
            code = try reader.readMultiformatVarint()
            length = try reader.readMultiformatVarint()
        } catch .truncated {
            throw .truncated
        } catch {
            throw .badVarint
        }
        guard let function = Function(rawValue: code) else { throw .unsupportedHashFunction(code) }
        guard length <= UInt64(reader.remaining) else {
            if let expected = function.digestLength, length != UInt64(expected) {
                throw .wrongDigestLength(expected: expected, actual: Int(clamping: length))
            }
            throw .truncated
        }
        guard let digest = try? reader.readBytes(Int(length)) else { throw .truncated }
        return try Multihash(function: function, digest: digest)
    }
}
