/// Bytes that are not a well-formed legacy Solana message or transaction.
public enum WireFormatError: Error, Equatable, CustomStringConvertible {
    /// The data ends at `offset` while reading `what`.
    case truncated(what: String, offset: Int)
    /// The compact-u16 length at `offset` is malformed.
    case invalidCompactU16(offset: Int)
    /// The message is a versioned (v0 or later) message, which this decoder does not read.
    case unsupportedVersion(UInt8)
    /// The message breaks one of Solana's sanity rules.
    case invalidMessage(String)
    /// The transaction carries `signatures` signatures for a message that requires `required`.
    case signatureCountMismatch(signatures: Int, required: Int)
    /// `count` bytes follow the end of the transaction or message.
    case trailingBytes(count: Int)

    public var description: String {
        switch self {
        case .truncated(let what, let offset): "transaction data ends at byte \(offset) while reading \(what)"
        case .invalidCompactU16(let offset): "malformed compact-u16 length at byte \(offset)"
        case .unsupportedVersion(let version): "versioned message v\(version) is not supported (legacy only)"
        case .invalidMessage(let reason): "invalid message: \(reason)"
        case .signatureCountMismatch(let signatures, let required):
            "transaction carries \(signatures) signatures but its message requires \(required)"
        case .trailingBytes(let count): "\(count) unexpected bytes after the end of the transaction"
        }
    }
}

/// A bounds-checked cursor over wire bytes.
struct WireReader {
    /// The bytes being read.
    let bytes: [UInt8]
    /// The position of the next byte.
    private(set) var offset = 0

    /// Starts reading at the first byte.
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The number of bytes left.
    var remaining: Int { bytes.count - offset }

    /// Reads one byte.
    mutating func readByte(_ what: String) throws(WireFormatError) -> UInt8 {
        try read(1, what)[0]
    }

    /// Reads `count` bytes.
    mutating func read(_ count: Int, _ what: String) throws(WireFormatError) -> [UInt8] {
        guard count <= remaining else { throw .truncated(what: what, offset: bytes.count) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a compact-u16 length.
    mutating func readCompactU16(_ what: String) throws(WireFormatError) -> Int {
        guard remaining > 0 else { throw .truncated(what: what, offset: offset) }
        guard let (value, length) = ShortVec.decode(bytes[offset...]) else {
            // A valid prefix cut off by the end of the data is truncation, anything else is malformed.
            let tail = bytes[offset...]
            if tail.count < 3 && tail.allSatisfy({ $0 & 0x80 != 0 }) {
                throw .truncated(what: what, offset: bytes.count)
            }
            throw .invalidCompactU16(offset: offset)
        }
        offset += length
        return Int(value)
    }
}
