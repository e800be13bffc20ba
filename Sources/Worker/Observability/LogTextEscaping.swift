/// Makes text from strangers (job titles, CIDs, error messages) safe for a one-line text log: nothing in a
/// value can end the line, move the cursor, recolor or clear a terminal, or reorder what is displayed.
///
/// Escaped as `\r`, `\n`, `\t`, or `\u{XX}` in Swift's notation: every C0 control, DEL, every C1 control
/// (U+0080–U+009F, which include the one-byte CSI), the line and paragraph separators U+2028 and U+2029, and
/// the bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
enum LogTextEscaping {
    /// Whether `scalar` is escaped.
    static func isEscaped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `text` with the escaped characters written as escapes; `\` and `"` are left as they are (a message is
    /// not quoted).
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isEscaped) else { return text }
        return rewritten(text, quoting: false)
    }

    /// `text` as a `key=value` value: as is when it holds no whitespace, `"`, `=` or escaped character and is
    /// not empty, otherwise in double quotes with `\` and `"` escaped as well.
    static func quoted(_ text: String) -> String {
        let plain =
            !text.isEmpty
            && !text.unicodeScalars.contains {
                $0 == "\"" || $0 == "=" || $0.properties.isWhitespace || isEscaped($0)
            }
        return plain ? text : "\"" + rewritten(text, quoting: true) + "\""
    }

    private static func rewritten(_ text: String, quoting: Bool) -> String {
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": output.append(contentsOf: #"\n"#.unicodeScalars)
            case "\r": output.append(contentsOf: #"\r"#.unicodeScalars)
            case "\t": output.append(contentsOf: #"\t"#.unicodeScalars)
            case "\\" where quoting: output.append(contentsOf: #"\\"#.unicodeScalars)
            case "\"" where quoting: output.append(contentsOf: #"\""#.unicodeScalars)
            case _ where isEscaped(scalar):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                output.append(contentsOf: "\\u{\(hex.count < 2 ? "0" + hex : hex)}".unicodeScalars)
            default: output.append(scalar)
            }
        }
        return String(output)
    }
}
