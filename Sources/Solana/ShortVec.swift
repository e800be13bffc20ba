/// Solana's compact-u16 ("shortvec") length prefix: 7 bits per byte, low bits first, high bit = more follows.
public enum ShortVec {
    /// Appends the compact-u16 encoding of `value` (1 to 3 bytes).
    public static func encode(_ value: UInt16, into output: inout [UInt8]) {
        var remaining = value
        while remaining >= 0x80 {
            output.append(UInt8(remaining & 0x7f) | 0x80)
            remaining >>= 7
        }
        output.append(UInt8(remaining))
    }

    /// The compact-u16 encoding of `value`.
    public static func encode(_ value: UInt16) -> [UInt8] {
        var output: [UInt8] = []
        encode(value, into: &output)
        return output
    }

    /// Decodes a compact-u16 at the start of `bytes`, returning the value and the number of bytes it used.
    ///
    /// Like Solana, it refuses values above 65535, encodings longer than 3 bytes and non-minimal encodings
    /// (a trailing zero continuation byte); `nil` means the bytes are not a valid compact-u16.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) -> (value: UInt16, length: Int)?
    where Bytes.Element == UInt8 {
        var value: UInt32 = 0
        for (position, byte) in bytes.prefix(3).enumerated() {
            // A zero byte after the first one could have been left out: the encoding is not minimal.
            if position > 0 && byte == 0 { return nil }
            value |= UInt32(byte & 0x7f) << (7 * UInt32(position))
            if byte & 0x80 == 0 {
                guard let result = UInt16(exactly: value) else { return nil }
                return (result, position + 1)
            }
        }
        return nil
    }
}
