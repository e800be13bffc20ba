/// A bounds-checked cursor over a byte array, used by every decoder in this module.
struct ByteReader {
    /// What went wrong while reading.
    enum Failure: Error, Equatable {
        /// The input ended before the value did.
        case truncated
        /// A varint was longer than its type allows or not minimally encoded.
        case badVarint
    }

    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func readByte() throws(Failure) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readBytes(_ count: Int) throws(Failure) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw .truncated }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A protobuf-style varint: up to 10 bytes, must fit in 64 bits.
    mutating func readVarint() throws(Failure) -> UInt64 {
        try readVarint(maxBytes: 10, minimal: false)
    }

    /// A multiformats unsigned varint: at most 9 bytes and minimally encoded.
    mutating func readMultiformatVarint() throws(Failure) -> UInt64 {
        try readVarint(maxBytes: 9, minimal: true)
    }

    /// A varint used as a length; it must fit in `Int`.
    mutating func readLength() throws(Failure) -> Int {
        let value = try readVarint()
        guard value <= UInt64(Int.max) else { throw .badVarint }
        return Int(value)
    }

    private mutating func readVarint(maxBytes: Int, minimal: Bool) throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<maxBytes {
            let byte = try readByte()
            let bits = UInt64(byte & 0x7F)
            if index == 9, bits > 1 { throw .badVarint }
            value |= bits << (7 * UInt64(index))
            if byte & 0x80 == 0 {
                if minimal, index > 0, byte == 0 { throw .badVarint }
                return value
            }
        }
        throw .badVarint
    }
}
