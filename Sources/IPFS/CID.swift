/// A content identifier, version 0 or 1.
///
/// A CIDv0 is a base58 sha2-256 multihash of a dag-pb block (`Qm…`, 46 characters); a CIDv1 is
/// `version ‖ codec ‖ multihash`, written multibase-encoded (base32 `b…` by default).
public struct CID: Hashable, Sendable, CustomStringConvertible {
    /// The CID versions.
    public enum Version: UInt64, Sendable {
        /// Implicit dag-pb and sha2-256, written in plain base58.
        case v0 = 0
        /// Explicit version, codec and multihash.
        case v1 = 1
    }

    /// The version.
    public let version: Version
    /// The content type of the block.
    public let codec: Codec
    /// The hash of the block.
    public let multihash: Multihash

    /// A CID from its parts; a v0 CID must be dag-pb and sha2-256.
    public init(version: Version, codec: Codec, multihash: Multihash) throws(CIDError) {
        if version == .v0, codec != .dagPB || multihash.function != .sha256 { throw .v0RequiresSHA256DagPB }
        self.version = version
        self.codec = codec
        self.multihash = multihash
    }

    /// The CID (sha2-256) of `block` with the given codec; a raw block always gets a CIDv1, as in Kubo.
    public static func of(block: [UInt8], codec: Codec, version: Version) -> CID {
        let effective: Version = codec == .dagPB ? version : .v1
        return CID(unchecked: effective, codec, .sha256(of: block))
    }

    /// The CIDv1 of `block` with the given codec and hash function (identity puts the block itself inline).
    public static func v1(of block: [UInt8], codec: Codec, hash: Multihash.Function) -> CID {
        let multihash: Multihash =
            switch hash {
            case .identity: .identity(of: block)
            case .sha256: .sha256(of: block)
            case .sha512: .sha512(of: block)
            }
        return CID(unchecked: .v1, codec, multihash)
    }

    /// The CIDv1 of a single raw block (what Kubo gives a one-chunk file with raw leaves).
    public static func rawBlock(_ block: [UInt8]) -> CID {
        CID(unchecked: .v1, .raw, .sha256(of: block))
    }

    private init(unchecked version: Version, _ codec: Codec, _ multihash: Multihash) {
        self.version = version
        self.codec = codec
        self.multihash = multihash
    }

    /// Parses a CID string: `Qm…` (v0) or multibase-prefixed binary (v1).
    public init(_ text: String) throws(CIDError) {
        guard let first = text.first else { throw .empty }
        if text.utf8.count == 46, text.hasPrefix("Qm") {
            guard let bytes = Base58.decode(Substring(text)) else { throw .badBaseEncoding(base: "z") }
            try self.init(bytes: bytes)
            return
        }
        guard let base = Multibase(rawValue: first) else {
            // A plain base58 multihash that is not sha2-256 is a malformed CIDv0.
            if let bytes = Base58.decode(Substring(text)), (try? Self.readMultihashOnly(bytes)) != nil {
                throw .v0RequiresSHA256DagPB
            }
            throw Multibase.unsupportedPrefixes.contains(first) ? .unsupportedBase(first) : .badPrefix(first)
        }
        guard let bytes = base.decodeWithoutPrefix(text.dropFirst()) else { throw .badBaseEncoding(base: first) }
        if bytes.first == 0x12 { throw .multibaseEncodedV0 }
        try self.init(bytes: bytes)
    }

    /// Parses a binary CID (a 34-byte multihash for v0); the whole input must be the CID.
    public init(bytes: [UInt8]) throws(CIDError) {
        var reader = ByteReader(bytes)
        self = try CID.read(from: &reader)
        if !reader.isAtEnd { throw .trailingBytes(reader.remaining) }
    }

    /// Reads one binary CID from `reader`, leaving the cursor after it (CAR sections, dag-pb links).
    static func read(from reader: inout ByteReader) throws(CIDError) -> CID {
        guard reader.remaining > 0 else { throw .truncated }
        if reader.bytes[reader.offset] == 0x12 {
            let multihash = try Multihash.read(from: &reader)
            return try CID(version: .v0, codec: .dagPB, multihash: multihash)
        }
        let rawVersion: UInt64
        let rawCodec: UInt64
        do {
            rawVersion = try reader.readMultiformatVarint()
            guard rawVersion == 1 else { throw CIDError.badVersion(rawVersion) }
            rawCodec = try reader.readMultiformatVarint()
        } catch let error as CIDError {
            throw error
        } catch ByteReader.Failure.truncated {
            throw .truncated
        } catch {
            throw .badVarint
        }
        guard let codec = Codec(rawValue: rawCodec) else { throw .unknownCodec(rawCodec) }
        return try CID(version: .v1, codec: codec, multihash: Multihash.read(from: &reader))
    }

    private static func readMultihashOnly(_ bytes: [UInt8]) throws(CIDError) -> Multihash {
        var reader = ByteReader(bytes)
        let multihash = try Multihash.read(from: &reader)
        if !reader.isAtEnd { throw .trailingBytes(reader.remaining) }
        return multihash
    }

    /// Binary form: the multihash for v0, `0x01 ‖ codec ‖ multihash` for v1.
    public var bytes: [UInt8] {
        switch version {
        case .v0: return multihash.bytes
        case .v1:
            var out = Varint.encode(1)
            Varint.append(codec.rawValue, to: &out)
            return out + multihash.bytes
        }
    }

    /// The canonical text: base58 for v0, base32 (`b…`) for v1.
    public var description: String {
        switch version {
        case .v0: Base58.encode(bytes)
        case .v1: Multibase.base32.encode(bytes)
        }
    }

    /// The CIDv1 form of this CID in a chosen multibase, prefix included (a CIDv0 has only its plain
    /// base58 form, `description`, so it is converted to v1 first).
    public func string(base: Multibase) -> String {
        base.encode(toV1().bytes)
    }

    /// The same content as a CIDv1.
    public func toV1() -> CID {
        CID(unchecked: .v1, codec, multihash)
    }

    /// The same content as a CIDv0 (only dag-pb with sha2-256 has one).
    public func toV0() throws(CIDError) -> CID {
        try CID(version: .v0, codec: codec, multihash: multihash)
    }

    /// True when `block` hashes to this CID.
    public func matches(_ block: [UInt8]) -> Bool {
        multihash.matches(block)
    }
}
