/// A parser for `.env` files: `KEY=VALUE` lines, as written by hand and by the seed's `.env.example`.
///
/// Rules:
/// - blank lines and lines starting with `#` are ignored;
/// - an optional `export ` prefix is accepted (so the file can also be `source`d by a shell);
/// - keys are `[A-Za-z_][A-Za-z0-9_]*`;
/// - values may be unquoted (trimmed; ` #` starts a trailing comment), single-quoted (taken literally)
///   or double-quoted (`\n`, `\t`, `\r`, `\"`, `\\` and `\$` are unescaped); text after the closing quote
///   may only be a comment;
/// - a later line for the same key overrides an earlier one.
package enum DotEnv {
    /// A line of a `.env` file that cannot be understood.
    package struct ParseError: Error, Equatable, CustomStringConvertible {
        /// The 1-based line number.
        package var line: Int
        /// What is wrong with it.
        package var problem: String

        /// Describes the error for an operator; never repeats the line's value (it may be a secret).
        package var description: String { ".env line \(line): \(problem)" }
    }

    /// Parses the text of a `.env` file into a dictionary.
    package static func parse(_ text: String) throws(ParseError) -> [String: String] {
        var values: [String: String] = [:]
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            var line = rawLine.drop(while: \.isWhitespace)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                line = line.dropFirst("export".count).drop(while: \.isWhitespace)
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw ParseError(line: lineNumber, problem: "expected KEY=VALUE")
            }
            let key = String(line[..<equals].trimmingWhitespace())
            guard isValidKey(key) else {
                throw ParseError(line: lineNumber, problem: "'\(key)' is not a valid variable name")
            }
            let rest = line[line.index(after: equals)...].drop(while: { $0 == " " || $0 == "\t" })
            values[key] = try parseValue(rest, line: lineNumber)
        }
        return values
    }

    private static func isValidKey(_ key: String) -> Bool {
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        guard let first = key.unicodeScalars.first, first == "_" || isLetter(first) else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || isLetter($0) || ("0"..."9").contains($0) }
    }

    private static func parseValue(_ text: Substring, line: Int) throws(ParseError) -> String {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            var value = text
            if let comment = value.indices.first(where: { index in
                value[index] == "#" && (index == value.startIndex || value[value.index(before: index)].isWhitespace)
            }) {
                value = value[..<comment]
            }
            return String(value.trimmingWhitespace())
        }
        var result = ""
        var index = text.index(after: text.startIndex)
        var closed = false
        while index < text.endIndex {
            let character = text[index]
            if character == quote {
                closed = true
                index = text.index(after: index)
                break
            }
            if quote == "\"" && character == "\\" {
                let next = text.index(after: index)
                guard next < text.endIndex else { break }
                switch text[next] {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "r": result.append("\r")
                case "\"", "\\", "$": result.append(text[next])
                default:
                    result.append("\\")
                    result.append(text[next])
                }
                index = text.index(after: next)
                continue
            }
            result.append(character)
            index = text.index(after: index)
        }
        guard closed else { throw ParseError(line: line, problem: "missing closing \(quote) quote") }
        let trailing = text[index...].trimmingWhitespace()
        guard trailing.isEmpty || trailing.hasPrefix("#") else {
            throw ParseError(line: line, problem: "unexpected text after the closing quote")
        }
        return result
    }
}

extension Substring {
    /// The substring without leading and trailing whitespace.
    func trimmingWhitespace() -> Substring {
        let start = drop(while: \.isWhitespace)
        var end = start.endIndex
        while end > start.startIndex, start[start.index(before: end)].isWhitespace {
            end = start.index(before: end)
        }
        return start[..<end]
    }
}
