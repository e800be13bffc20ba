/// Unsigned LEB128 varints, as multiformats (CIDs, multihashes, CAR framing) and protobuf use them.
public enum Varint {
    /// The varint encoding of `value` (1 to 10 bytes, minimal).
    public static func encode(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    /// Appends the varint encoding of `value` to `bytes`.
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Decodes a multiformats varint (at most 9 bytes, minimal) at the start of `bytes`.
    /// - Returns: the value and the number of bytes it took, or nil when the input is truncated or invalid.
    public static func decode(_ bytes: [UInt8]) -> (value: UInt64, length: Int)? {
        var reader = ByteReader(bytes)
        guard let value = try? reader.readMultiformatVarint() else { return nil }
        return (value, reader.offset)
    }
}
