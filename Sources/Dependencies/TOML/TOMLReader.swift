/// A cursor over a TOML document's UTF-8 bytes: whitespace, comments, keys and values, with the line number
/// every error reports.
struct TOMLReader {
    let bytes: [UInt8]
    private(set) var position = 0
    /// The current line, counted from 1.
    private(set) var line = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    mutating func advance(_ count: Int = 1) {
        position += count
    }

    func error(_ reason: String) -> TOMLError {
        TOMLError(line: line, reason: reason)
    }

    mutating func expect(_ character: Unicode.Scalar, _ reason: String) throws(TOMLError) {
        guard peek() == UInt8(ascii: character) else { throw error(reason) }
        advance()
    }

    /// Skips spaces and tabs.
    mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 { advance() }
    }

    /// Skips spaces, tabs, newlines and comments (inside arrays).
    mutating func skipWhitespaceNewlinesAndComments() throws(TOMLError) {
        while let byte = peek() {
            switch byte {
            case 0x20, 0x09: advance()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): try consumeNewline()
            case UInt8(ascii: "#"): try skipComment()
            default: return
            }
        }
    }

    /// Consumes `\n` or `\r\n`.
    mutating func consumeNewline() throws(TOMLError) {
        if peek() == UInt8(ascii: "\r") {
            guard peek(1) == UInt8(ascii: "\n") else { throw error("a carriage return must be followed by a newline") }
            advance()
        }
        advance()
        line += 1
    }

    /// Skips a comment up to (not including) the end of the line.
    mutating func skipComment() throws(TOMLError) {
        advance()
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n") { return }
            if Self.isControl(byte) { throw error("control character U+\(hex(byte)) in a comment") }
            advance()
        }
    }

    /// After a statement: optional whitespace and comment, then the end of the line or of the document.
    mutating func finishLine() throws(TOMLError) {
        skipWhitespace()
        if peek() == UInt8(ascii: "#") { try skipComment() }
        guard let byte = peek() else { return }
        guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
            throw error("unexpected '\(Self.describe(byte))' after a value or header (one statement per line)")
        }
        try consumeNewline()
    }

    /// A key, dotted or not: its parts, unquoted.
    mutating func readKey() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw error("expected a key, found the end of the document") }
            switch byte {
            case UInt8(ascii: "\""):
                guard !(peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"")) else {
                    throw error("a key cannot be a multi-line string")
                }
                parts.append(try readBasicString())
            case UInt8(ascii: "'"):
                guard !(peek(1) == UInt8(ascii: "'") && peek(2) == UInt8(ascii: "'")) else {
                    throw error("a key cannot be a multi-line string")
                }
                parts.append(try readLiteralString())
            default:
                let start = position
                while let next = peek(), Self.isBareKey(next) { advance() }
                guard position > start else { throw error("expected a key, found '\(Self.describe(byte))'") }
                parts.append(String(decoding: bytes[start..<position], as: UTF8.self))
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ".") else { return parts }
            advance()
        }
    }

    /// A value: string, number, boolean, array or inline table.
    mutating func readValue(depth: Int) throws(TOMLError) -> TOMLValue {
        guard let byte = peek() else { throw error("expected a value, found the end of the document") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"") {
                return .string(try readMultilineString(quote: UInt8(ascii: "\""), escapes: true))
            }
            return .string(try readBasicString())
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'") && peek(2) == UInt8(ascii: "'") {
                return .string(try readMultilineString(quote: UInt8(ascii: "'"), escapes: false))
            }
            return .string(try readLiteralString())
        case UInt8(ascii: "["):
            return try readArray(depth: depth + 1)
        case UInt8(ascii: "{"):
            return try readInlineTable(depth: depth + 1)
        default:
            return try readScalar()
        }
    }

    private mutating func readArray(depth: Int) throws(TOMLError) -> TOMLValue {
        guard depth <= TOMLParser.maximumNesting else {
            throw error("arrays and inline tables nested deeper than \(TOMLParser.maximumNesting) levels")
        }
        advance()
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceNewlinesAndComments()
            guard let byte = peek() else { throw error("unterminated array: expected ']'") }
            if byte == UInt8(ascii: "]") {
                advance()
                return .array(elements)
            }
            elements.append(try readValue(depth: depth))
            try skipWhitespaceNewlinesAndComments()
            switch peek() {
            case UInt8(ascii: ","): advance()
            case UInt8(ascii: "]"): continue
            case let other?: throw error("expected ',' or ']' in an array, found '\(Self.describe(other))'")
            case nil: throw error("unterminated array: expected ']'")
            }
        }
    }

    private mutating func readInlineTable(depth: Int) throws(TOMLError) -> TOMLValue {
        guard depth <= TOMLParser.maximumNesting else {
            throw error("arrays and inline tables nested deeper than \(TOMLParser.maximumNesting) levels")
        }
        advance()
        var document = TOMLDocument()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            advance()
            return .table([:])
        }
        while true {
            try document.readKeyValue(&self, depth: depth)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                advance()
                skipWhitespace()
                if peek() == UInt8(ascii: "}") { throw error("an inline table cannot have a trailing comma") }
            case UInt8(ascii: "}"):
                advance()
                return .table(document.root)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("an inline table must be on one line")
            case let other?:
                throw error("expected ',' or '}' in an inline table, found '\(Self.describe(other))'")
            case nil:
                throw error("unterminated inline table: expected '}'")
            }
        }
    }

    /// A basic string (`"..."`) with its escapes resolved.
    mutating func readBasicString() throws(TOMLError) -> String {
        advance()
        var output: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try readEscape(into: &output)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("unterminated string (a basic string ends on its line; use \"\"\" for several lines)")
            default:
                if Self.isControl(byte) { throw error("control character U+\(hex(byte)) in a string") }
                output.append(byte)
                advance()
            }
        }
    }

    /// A literal string (`'...'`): no escapes.
    mutating func readLiteralString() throws(TOMLError) -> String {
        advance()
        let start = position
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            if byte == UInt8(ascii: "'") {
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                advance()
                return text
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw error("unterminated string (a literal string ends on its line; use ''' for several lines)")
            }
            if Self.isControl(byte) { throw error("control character U+\(hex(byte)) in a string") }
            advance()
        }
    }

    /// A multi-line string (`"""..."""` with escapes, `'''...'''` without): a newline right after the opening
    /// delimiter is dropped, and up to two quotes may directly precede the closing delimiter.
    private mutating func readMultilineString(quote: UInt8, escapes: Bool) throws(TOMLError) -> String {
        advance(3)
        if peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "\r") { try consumeNewline() }
        var output: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated multi-line string") }
            if byte == quote && peek(1) == quote && peek(2) == quote {
                var run = 3
                while peek(run) == quote { run += 1 }
                guard run <= 5 else { throw error("too many quotes at the end of a multi-line string") }
                output.append(contentsOf: repeatElement(quote, count: run - 3))
                advance(run)
                return String(decoding: output, as: UTF8.self)
            }
            switch byte {
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try consumeNewline()
                output.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "\\") where escapes:
                if try skipLineEndingBackslash() { continue }
                try readEscape(into: &output)
            default:
                if Self.isControl(byte) { throw error("control character U+\(hex(byte)) in a string") }
                output.append(byte)
                advance()
            }
        }
    }

    /// At a backslash in a multi-line basic string: if only whitespace follows it on its line, skips it with
    /// every following space, tab and newline and returns true.
    private mutating func skipLineEndingBackslash() throws(TOMLError) -> Bool {
        var offset = 1
        while let byte = peek(offset), byte == 0x20 || byte == 0x09 { offset += 1 }
        guard let end = peek(offset), end == UInt8(ascii: "\n") || end == UInt8(ascii: "\r") else { return false }
        advance(offset)
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 {
                advance()
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                try consumeNewline()
            } else {
                break
            }
        }
        return true
    }

    private mutating func readEscape(into output: inout [UInt8]) throws(TOMLError) {
        advance()
        guard let code = peek() else { throw error("unterminated string") }
        advance()
        let simple: UInt8? =
            switch code {
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "t"): 0x09
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            default: nil
            }
        if let simple {
            output.append(simple)
            return
        }
        let digits: Int
        switch code {
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        default: throw error("invalid escape '\\\(Self.describe(code))' in a string")
        }
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let digit = peek(), let nibble = Self.hexValue(digit) else {
                throw error("'\\\(Self.describe(code))' needs \(digits) hexadecimal digits")
            }
            value = value << 4 | UInt32(nibble)
            advance()
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("'\\\(Self.describe(code))' escape is not a Unicode scalar value")
        }
        output.append(contentsOf: String(Character(scalar)).utf8)
    }

    /// A boolean or number; dates and times are recognised and refused.
    private mutating func readScalar() throws(TOMLError) -> TOMLValue {
        let start = position
        while let byte = peek(), Self.isScalarCharacter(byte) { advance() }
        let token = String(decoding: bytes[start..<position], as: UTF8.self)
        guard !token.isEmpty, let first = token.utf8.first else {
            throw error("expected a value, found '\(Self.describe(peek() ?? 0))'")
        }
        if token == "true" { return .boolean(true) }
        if token == "false" { return .boolean(false) }
        if Self.looksLikeDateOrTime(token) {
            throw error("dates and times are not supported ('\(token)')")
        }
        if let value = TOMLNumber.parse(token) { return value }
        if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") || first == UInt8(ascii: "+")
            || first == UInt8(ascii: "-")
        {
            throw error("invalid number '\(token)'")
        }
        throw error("invalid value '\(token)' (strings must be quoted)")
    }

    private static func looksLikeDateOrTime(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= bytes.count && range.allSatisfy { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
        }
        let isDate = digits(0..<4) && bytes.count > 4 && bytes[4] == UInt8(ascii: "-")
        let isTime = digits(0..<2) && bytes.count > 2 && bytes[2] == UInt8(ascii: ":")
        return isDate || isTime
    }

    static func isBareKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    private static func isScalarCharacter(_ byte: UInt8) -> Bool {
        isBareKey(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    /// Control characters TOML forbids in strings and comments: all but tab.
    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// A byte as shown in an error: itself when printable ASCII, else `U+XX`.
    static func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "U+\(hex(byte))"
    }
}

/// Two upper-case hexadecimal digits.
private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
}
