/// The few protobuf wire-format pieces dag-pb and UnixFS need, written by hand.
enum Protobuf {
    /// One decoded field.
    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
    }

    /// Why a protobuf message could not be read.
    enum Failure: Error, Equatable {
        case truncated
        case badVarint
        case unsupportedWireType(Int)
        case badFieldNumber
    }

    /// Appends a length-delimited field.
    static func appendBytes(field: UInt64, _ value: [UInt8], to out: inout [UInt8]) {
        Varint.append(field << 3 | 2, to: &out)
        Varint.append(UInt64(value.count), to: &out)
        out += value
    }

    /// Appends a varint field.
    static func appendVarint(field: UInt64, _ value: UInt64, to out: inout [UInt8]) {
        Varint.append(field << 3, to: &out)
        Varint.append(value, to: &out)
    }

    /// Reads every field of a message in wire order; 64- and 32-bit fields are skipped.
    static func fields(of message: [UInt8]) throws(Failure) -> [(field: UInt64, value: Value)] {
        var reader = ByteReader(message)
        var out: [(field: UInt64, value: Value)] = []
        do {
            while !reader.isAtEnd {
                let key = try reader.readVarint()
                let field = key >> 3
                guard field > 0, field <= 0x1FFF_FFFF else { throw Failure.badFieldNumber }
                switch key & 7 {
                case 0: out.append((field, .varint(try reader.readVarint())))
                case 1: _ = try reader.readBytes(8)
                case 2: out.append((field, .bytes(try reader.readBytes(try reader.readLength()))))
                case 5: _ = try reader.readBytes(4)
                case let wire: throw Failure.unsupportedWireType(Int(wire))
                }
            }
        } catch let failure as Failure {
            throw failure
        } catch ByteReader.Failure.badVarint {
            throw .badVarint
        } catch {
            throw .truncated
        }
        return out
    }
}
