import Foundation

/// A parsed JSON value, `Sendable`, for reading the devnet's control answers in tests.
public enum DevnetJSON: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([DevnetJSON])
    case object([String: DevnetJSON])

    /// Parses JSON text.
    public init(parsing data: Data) throws {
        self = try JSONDecoder().decode(DevnetJSON.self, from: data)
    }

    /// The member `key` of an object, or `.null`.
    public subscript(key: String) -> DevnetJSON {
        if case .object(let members) = self { return members[key] ?? .null }
        return .null
    }

    /// The element at `index` of an array, or `.null`.
    public subscript(index: Int) -> DevnetJSON {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return .null
    }

    /// The string, when this is one.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as an integer, when this is a whole number.
    public var int: Int? {
        if case .number(let value) = self, value.rounded() == value { return Int(value) }
        return nil
    }

    /// The boolean, when this is one.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    public var array: [DevnetJSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The numbers of an array of integers (a secret key, say).
    public var bytes: [UInt8]? {
        array?.compactMap { $0.int.flatMap(UInt8.init(exactly:)) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([DevnetJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: DevnetJSON].self))
        }
    }
}
