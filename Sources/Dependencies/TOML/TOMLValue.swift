/// A value of a TOML document, as far as ``TOMLParser`` reads them.
public enum TOMLValue: Sendable, Equatable {
    /// A basic, literal or multi-line string.
    case string(String)
    /// A 64-bit integer (decimal, `0x`, `0o` or `0b`).
    case integer(Int64)
    /// A float, including `inf` and `nan`.
    case float(Double)
    /// `true` or `false`.
    case boolean(Bool)
    /// An array, of any mix of values.
    case array([TOMLValue])
    /// A table: a `[header]` section, an inline table, a dotted key's parent or an element of `[[array]]`.
    case table([String: TOMLValue])

    /// The name of this value's type as TOML's specification spells it, for error messages.
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .array: "array"
        case .table: "table"
        }
    }
}
