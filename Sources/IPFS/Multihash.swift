import Crypto

/// A self-describing hash: function code, digest length and digest.
public struct Multihash: Hashable, Sendable {
    /// The hash functions this module understands.
    public enum Function: UInt64, Sendable {
        /// The identity "hash": the digest is the content itself (inline blocks).
        case identity = 0x00
        /// SHA2-256, 32-byte digests: what Kubo uses by default.
        case sha256 = 0x12
    }

    /// The hash function.
    public let function: Function
    /// The digest bytes.
    public let digest: [UInt8]

    /// A multihash from its parts; SHA2-256 digests must be 32 bytes.
    public init(function: Function, digest: [UInt8]) throws(CIDError) {
        if function == .sha256, digest.count != 32 {
            throw .wrongDigestLength(expected: 32, actual: digest.count)
        }
        self.function = function
        self.digest = digest
    }

    /// The SHA2-256 multihash of `bytes`.
    public static func sha256(of bytes: [UInt8]) -> Multihash {
        Multihash(unchecked: .sha256, Array(SHA256.hash(data: bytes)))
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
            if function == .sha256, length != 32 {
                throw .wrongDigestLength(expected: 32, actual: Int(clamping: length))
            }
            throw .truncated
        }
        guard let digest = try? reader.readBytes(Int(length)) else { throw .truncated }
        return try Multihash(function: function, digest: digest)
    }
}
