/// Just enough dag-cbor to read and write CAR headers: a small value tree, strict about framing.
enum CBOR: Equatable {
    case unsigned(UInt64)
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    indirect case array([CBOR])
    indirect case map([(key: CBOR, value: CBOR)])
    indirect case tag(UInt64, CBOR)
    case simple(UInt8)
    case float(UInt64)

    static func == (lhs: CBOR, rhs: CBOR) -> Bool {
        switch (lhs, rhs) {
        case (.unsigned(let a), .unsigned(let b)), (.negative(let a), .negative(let b)), (.float(let a), .float(let b)):
            a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.text(let a), .text(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.map(let a), .map(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.tag(let a, let x), .tag(let b, let y)): a == b && x == y
        case (.simple(let a), .simple(let b)): a == b
        default: false
        }
    }

    /// Why CBOR could not be decoded.
    enum Failure: Error, Equatable {
        case truncated
        case unsupported(String)
        case tooDeep
        case trailingBytes
    }

    /// The value of `key` in a map with text keys.
    subscript(key: String) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == .text(key) }?.value
    }

    /// Decodes exactly one item filling `bytes`.
    static func decode(_ bytes: [UInt8]) throws(Failure) -> CBOR {
        var reader = ByteReader(bytes)
        let value = try read(&reader, depth: 0)
        guard reader.isAtEnd else { throw .trailingBytes }
        return value
    }

    private static func read(_ reader: inout ByteReader, depth: Int) throws(Failure) -> CBOR {
        guard depth < 16 else { throw .tooDeep }
        let initial = try byte(&reader)
        let major = initial >> 5
        let argument = try self.argument(initial & 0x1F, major: major, &reader)
        switch major {
        case 0: return .unsigned(argument)
        case 1: return .negative(argument)
        case 2: return .bytes(try take(argument, &reader))
        case 3:
            guard let text = String(validating: try take(argument, &reader), as: UTF8.self) else {
                throw .unsupported("text is not UTF-8")
            }
            return .text(text)
        case 4:
            guard argument <= UInt64(reader.remaining) else { throw .truncated }
            var items: [CBOR] = []
            for _ in 0..<argument { items.append(try read(&reader, depth: depth + 1)) }
            return .array(items)
        case 5:
            guard argument <= UInt64(reader.remaining) else { throw .truncated }
            var entries: [(key: CBOR, value: CBOR)] = []
            for _ in 0..<argument {
                let key = try read(&reader, depth: depth + 1)
                entries.append((key, try read(&reader, depth: depth + 1)))
            }
            return .map(entries)
        case 6: return .tag(argument, try read(&reader, depth: depth + 1))
        default:
            switch initial & 0x1F {
            case 20...23: return .simple(UInt8(argument))
            case 25...27: return .float(argument)
            default: throw .unsupported("simple value \(initial & 0x1F)")
            }
        }
    }

    private static func argument(_ info: UInt8, major: UInt8, _ reader: inout ByteReader) throws(Failure) -> UInt64 {
        switch info {
        case 0..<24: return UInt64(info)
        case 24...27:
            var value: UInt64 = 0
            for _ in 0..<(1 << (info - 24)) { value = value << 8 | UInt64(try byte(&reader)) }
            return value
        default: throw .unsupported("indefinite length or reserved additional info \(info) (major \(major))")
        }
    }

    private static func byte(_ reader: inout ByteReader) throws(Failure) -> UInt8 {
        do { return try reader.readByte() } catch { throw .truncated }
    }

    private static func take(_ count: UInt64, _ reader: inout ByteReader) throws(Failure) -> [UInt8] {
        guard count <= UInt64(reader.remaining) else { throw .truncated }
        do { return try reader.readBytes(Int(count)) } catch { throw .truncated }
    }

    /// Canonical (shortest-form) encoding; map entries are written in the order given.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    private func encode(into out: inout [UInt8]) {
        switch self {
        case .unsigned(let value): Self.head(0, value, &out)
        case .negative(let value): Self.head(1, value, &out)
        case .bytes(let bytes):
            Self.head(2, UInt64(bytes.count), &out)
            out += bytes
        case .text(let text):
            Self.head(3, UInt64(text.utf8.count), &out)
            out += Array(text.utf8)
        case .array(let items):
            Self.head(4, UInt64(items.count), &out)
            for item in items { item.encode(into: &out) }
        case .map(let entries):
            Self.head(5, UInt64(entries.count), &out)
            for entry in entries {
                entry.key.encode(into: &out)
                entry.value.encode(into: &out)
            }
        case .tag(let tag, let value):
            Self.head(6, tag, &out)
            value.encode(into: &out)
        case .simple(let value): out.append(0xE0 | value)
        case .float(let bits):
            out.append(0xFB)
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
            }
        }
    }

    private static func head(_ major: UInt8, _ value: UInt64, _ out: inout [UInt8]) {
        let top = major << 5
        switch value {
        case 0..<24: out.append(top | UInt8(value))
        case 24...0xFF: out += [top | 24, UInt8(value)]
        case 0x100...0xFFFF: out += [top | 25, UInt8(value >> 8), UInt8(truncatingIfNeeded: value)]
        case 0x1_0000...0xFFFF_FFFF:
            out.append(top | 26)
            for shift in [24, 16, 8, 0] { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        default:
            out.append(top | 27)
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            }
        }
    }
}
