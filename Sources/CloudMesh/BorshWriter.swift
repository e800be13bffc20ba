import Solana

/// Writes Borsh values: integers little-endian, strings as u32 length + UTF-8, bools as one byte.
public struct BorshWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Starts with no bytes.
    public init() {}

    /// Appends raw bytes (a discriminator, a fixed-size array).
    public mutating func writeBytes<Bytes: Sequence>(_ raw: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: raw)
    }

    /// Appends a little-endian integer.
    public mutating func writeInteger<Integer: FixedWidthInteger>(_ value: Integer) {
        for index in 0..<Integer.bitWidth / 8 { bytes.append(UInt8(truncatingIfNeeded: value >> (index * 8))) }
    }

    /// Appends a `bool` as 0 or 1.
    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Appends a `String`: its UTF-8 byte length as u32, then the bytes.
    public mutating func writeString(_ value: String) {
        let utf8 = Array(value.utf8)
        writeInteger(UInt32(truncatingIfNeeded: utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Appends a `Pubkey` as its 32 bytes.
    public mutating func writePublicKey(_ key: PublicKey) { bytes.append(contentsOf: key.bytes) }

    /// Appends a fieldless enum as its variant index.
    public mutating func writeEnum<Variant: RawRepresentable>(_ variant: Variant) where Variant.RawValue == UInt8 {
        bytes.append(variant.rawValue)
    }
}
