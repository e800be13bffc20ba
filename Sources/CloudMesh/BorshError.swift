/// Bytes that do not hold the Borsh value expected, naming the field and where it went wrong.
public enum BorshError: Error, Equatable, CustomStringConvertible {
    /// The data ends before `field` (which needs `needed` bytes at `offset`, only `available` remain).
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// The string `field` at `offset` claims `length` bytes but only `available` remain.
    case stringLengthPastEnd(field: String, offset: Int, length: UInt32, available: Int)
    /// The string `field` at `offset` is not valid UTF-8.
    case invalidUTF8(field: String, offset: Int)
    /// The bool `field` at `offset` is `value`, neither 0 nor 1.
    case invalidBool(field: String, offset: Int, value: UInt8)
    /// The enum `field` at `offset` has variant index `value`, which the type does not have.
    case unknownEnumVariant(field: String, offset: Int, value: UInt8)

    public var description: String {
        switch self {
        case .truncated(let field, let offset, let needed, let available):
            "data ends inside \(field) at byte \(offset): it needs \(needed) bytes, \(available) remain"
        case .stringLengthPastEnd(let field, let offset, let length, let available):
            "string \(field) at byte \(offset) claims \(length) bytes but only \(available) remain"
        case .invalidUTF8(let field, let offset): "string \(field) at byte \(offset) is not valid UTF-8"
        case .invalidBool(let field, let offset, let value):
            "bool \(field) at byte \(offset) is \(value), expected 0 or 1"
        case .unknownEnumVariant(let field, let offset, let value):
            "\(field) at byte \(offset) has unknown variant \(value)"
        }
    }
}
