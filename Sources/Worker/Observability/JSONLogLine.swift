/// One JSON log line: an object of string members, in the order given, with `", "` and `": "` separators.
///
/// Strings are escaped for JSON (`"`, `\`, `\n` `\r` `\t` `\b` `\f`, other C0 controls as `\u00XX`) and
/// further for the terminals and tools that show log lines: DEL, the C1 controls, U+2028 and U+2029 (which
/// end a line in JavaScript) and the bidirectional controls are written as `\uXXXX` too (see
/// ``LogTextEscaping``). The result is valid JSON, ASCII controls free, and decodes to the original strings.
enum JSONLogLine {
    /// The line for `members`.
    static func encode(_ members: [(String, String)]) -> String {
        var output = String.UnicodeScalarView()
        output.append("{")
        for (index, member) in members.enumerated() {
            if index > 0 { output.append(contentsOf: ", ".unicodeScalars) }
            write(member.0, into: &output)
            output.append(contentsOf: ": ".unicodeScalars)
            write(member.1, into: &output)
        }
        output.append("}")
        return String(output)
    }

    private static func write(_ text: String, into output: inout String.UnicodeScalarView) {
        output.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append(contentsOf: #"\""#.unicodeScalars)
            case "\\": output.append(contentsOf: #"\\"#.unicodeScalars)
            case "\n": output.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": output.append(contentsOf: #"\r"#.unicodeScalars)
            case "\t": output.append(contentsOf: #"\t"#.unicodeScalars)
            case "\u{08}": output.append(contentsOf: #"\b"#.unicodeScalars)
            case "\u{0C}": output.append(contentsOf: #"\f"#.unicodeScalars)
            case _ where LogTextEscaping.isEscaped(scalar):
                // Every escaped scalar is in the Basic Multilingual Plane: one `\uXXXX`.
                let hex = String(scalar.value, radix: 16)
                output.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            default: output.append(scalar)
            }
        }
        output.append("\"")
    }
}
