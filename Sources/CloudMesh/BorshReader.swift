import Solana

/// Reads Borsh values from bytes, front to back, checking every length against the data that is left.
public struct BorshReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// The position of the next byte.
    public private(set) var offset: Int

    /// Starts reading `bytes` at `offset`.
    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    /// The number of bytes not read yet.
    public var remaining: Int { bytes.count - offset }

    /// Reads `count` raw bytes.
    public mutating func readBytes(_ count: Int, field: String) throws(BorshError) -> [UInt8] {
        guard count <= remaining else {
            throw .truncated(field: field, offset: offset, needed: count, available: remaining)
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a little-endian unsigned integer.
    public mutating func readInteger<Integer: FixedWidthInteger>(_ type: Integer.Type = Integer.self, field: String)
        throws(BorshError) -> Integer
    {
        let raw = try readBytes(Integer.bitWidth / 8, field: field)
        return raw.reversed().reduce(Integer.zero) { ($0 << 8) | Integer(truncatingIfNeeded: $1) }
    }

    /// Reads a `u8`.
    public mutating func readU8(field: String) throws(BorshError) -> UInt8 { try readInteger(field: field) }
    /// Reads a `u32`.
    public mutating func readU32(field: String) throws(BorshError) -> UInt32 { try readInteger(field: field) }
    /// Reads a `u64`.
    public mutating func readU64(field: String) throws(BorshError) -> UInt64 { try readInteger(field: field) }
    /// Reads an `i64`.
    public mutating func readI64(field: String) throws(BorshError) -> Int64 { try readInteger(field: field) }

    /// Reads a `bool`: one byte, 0 or 1.
    public mutating func readBool(field: String) throws(BorshError) -> Bool {
        let start = offset
        let value = try readU8(field: field)
        switch value {
        case 0: return false
        case 1: return true
        default: throw .invalidBool(field: field, offset: start, value: value)
        }
    }

    /// Reads a `String`: a u32 byte length, then that many bytes of UTF-8.
    public mutating func readString(field: String) throws(BorshError) -> String {
        let start = offset
        let length = try readU32(field: field)
        guard Int(length) <= remaining else {
            throw .stringLengthPastEnd(field: field, offset: start, length: length, available: remaining)
        }
        let raw = try readBytes(Int(length), field: field)
        guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(field: field, offset: start) }
        return text
    }

    /// Reads a `Pubkey`: 32 raw bytes.
    public mutating func readPublicKey(field: String) throws(BorshError) -> PublicKey {
        let raw = try readBytes(PublicKey.length, field: field)
        guard let key = try? PublicKey(bytes: raw) else {
            throw .truncated(field: field, offset: offset, needed: PublicKey.length, available: raw.count)
        }
        return key
    }

    /// Reads a fieldless enum: one byte, the variant index.
    public mutating func readEnum<Variant: RawRepresentable>(_ type: Variant.Type = Variant.self, field: String)
        throws(BorshError) -> Variant where Variant.RawValue == UInt8
    {
        let start = offset
        let value = try readU8(field: field)
        guard let variant = Variant(rawValue: value) else {
            throw .unknownEnumVariant(field: field, offset: start, value: value)
        }
        return variant
    }
}
