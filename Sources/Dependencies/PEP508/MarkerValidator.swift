import Foundation

/// Checks a PEP 508 environment marker against its grammar and returns it re-spaced, so that what reaches uv
/// is exactly a marker: variables from PEP 508's list, quoted strings, comparison operators, `in`, `not in`,
/// `and`, `or` and parentheses.
enum MarkerValidator {
    /// Why a marker was refused.
    struct Failure: Error {
        var reason: String
    }

    /// The variables PEP 508 defines (and `extra`).
    static let variables: Set<String> = [
        "python_version", "python_full_version", "os_name", "sys_platform", "platform_release", "platform_system",
        "platform_version", "platform_machine", "platform_python_implementation", "implementation_name",
        "implementation_version", "extra",
    ]

    /// The deepest nesting of parentheses accepted.
    static let maximumNesting = 16

    private enum Token: Equatable {
        case variable(String)
        case string(String)
        case comparison(String)
        case and, or, open, close
    }

    /// `marker` re-spaced (`python_version>='3.8'and os_name=="posix"` gives
    /// `python_version >= '3.8' and os_name == "posix"`).
    static func normalize(_ marker: String) throws(Failure) -> String {
        let tokens = try tokenize(Array(marker.utf8))
        var position = 0
        try orExpression(tokens, &position, depth: 0)
        guard position == tokens.count else { throw Failure(reason: "unexpected text after the marker") }
        return tokens.map { token in
            switch token {
            case .variable(let name): name
            case .string(let quoted): quoted
            case .comparison(let op): op
            case .and: "and"
            case .or: "or"
            case .open: "("
            case .close: ")"
            }
        }.joined(separator: " ").replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: " )", with: ")")
    }

    private static func tokenize(_ bytes: [UInt8]) throws(Failure) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09:
                index += 1
            case UInt8(ascii: "("):
                tokens.append(.open)
                index += 1
            case UInt8(ascii: ")"):
                tokens.append(.close)
                index += 1
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                guard let end = bytes[(index + 1)...].firstIndex(of: byte) else {
                    throw Failure(reason: "unterminated string")
                }
                tokens.append(.string(String(decoding: bytes[index...end], as: UTF8.self)))
                index = end + 1
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "~"):
                var end = index
                while end < bytes.count, "<>=!~".utf8.contains(bytes[end]) { end += 1 }
                let op = String(decoding: bytes[index..<end], as: UTF8.self)
                guard ["<", "<=", ">", ">=", "==", "!=", "~=", "==="].contains(op) else {
                    throw Failure(reason: "unknown operator '\(op)'")
                }
                tokens.append(.comparison(op))
                index = end
            default:
                var end = index
                while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
                guard end > index else {
                    throw Failure(reason: "unexpected character '\(String(UnicodeScalar(byte)))'")
                }
                let word = String(decoding: bytes[index..<end], as: UTF8.self)
                switch word {
                case "and": tokens.append(.and)
                case "or": tokens.append(.or)
                case "in": tokens.append(.comparison("in"))
                case "not":
                    var next = end
                    while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 { next += 1 }
                    guard next + 2 <= bytes.count, bytes[next] == UInt8(ascii: "i"),
                        bytes[next + 1] == UInt8(ascii: "n"),
                        next + 2 == bytes.count || !isWordByte(bytes[next + 2])
                    else { throw Failure(reason: "'not' must be followed by 'in'") }
                    tokens.append(.comparison("not in"))
                    end = next + 2
                default:
                    guard variables.contains(word) else { throw Failure(reason: "unknown marker variable '\(word)'") }
                    tokens.append(.variable(word))
                }
                index = end
            }
        }
        return tokens
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        PackageName.isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }

    private static func orExpression(_ tokens: [Token], _ position: inout Int, depth: Int) throws(Failure) {
        try andExpression(tokens, &position, depth: depth)
        while position < tokens.count, tokens[position] == .or {
            position += 1
            try andExpression(tokens, &position, depth: depth)
        }
    }

    private static func andExpression(_ tokens: [Token], _ position: inout Int, depth: Int) throws(Failure) {
        try atom(tokens, &position, depth: depth)
        while position < tokens.count, tokens[position] == .and {
            position += 1
            try atom(tokens, &position, depth: depth)
        }
    }

    private static func atom(_ tokens: [Token], _ position: inout Int, depth: Int) throws(Failure) {
        guard position < tokens.count else { throw Failure(reason: "the marker ends too early") }
        if tokens[position] == .open {
            guard depth < maximumNesting else { throw Failure(reason: "parentheses nested too deep") }
            position += 1
            try orExpression(tokens, &position, depth: depth + 1)
            guard position < tokens.count, tokens[position] == .close else { throw Failure(reason: "')' is missing") }
            position += 1
            return
        }
        try value(tokens, &position)
        guard position < tokens.count, case .comparison = tokens[position] else {
            throw Failure(reason: "expected a comparison operator")
        }
        position += 1
        try value(tokens, &position)
    }

    private static func value(_ tokens: [Token], _ position: inout Int) throws(Failure) {
        guard position < tokens.count else { throw Failure(reason: "the marker ends too early") }
        switch tokens[position] {
        case .variable, .string: position += 1
        default: throw Failure(reason: "expected a marker variable or a quoted string")
        }
    }
}
