/// TOML's integer and float syntax, checked exactly (underscores only between digits, no leading zeros, no
/// sign on `0x`/`0o`/`0b`), then converted.
enum TOMLNumber {
    /// The integer or float `token` spells, or nil when it is not one.
    static func parse(_ token: String) -> TOMLValue? {
        var text = Substring(token)
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where text.hasPrefix(prefix) {
            let digits = text.dropFirst(2)
            guard hasValidUnderscores(digits), digits.allSatisfy({ $0 == "_" || $0.isHexDigit }),
                let value = Int64(digits.filter { $0 != "_" }, radix: radix)
            else {
                return nil
            }
            return .integer(value)
        }
        var sign: Substring = ""
        if let first = text.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            text = text.dropFirst()
        }
        switch text {
        case "inf": return .float(sign == "-" ? -.infinity : .infinity)
        case "nan": return .float(.nan)
        default: break
        }
        let exponentStart = text.firstIndex { $0 == "e" || $0 == "E" }
        let mantissa = text[..<(exponentStart ?? text.endIndex)]
        let dot = mantissa.firstIndex(of: ".")
        let integerPart = mantissa[..<(dot ?? mantissa.endIndex)]
        guard isDecimal(integerPart), integerPart == "0" || !integerPart.hasPrefix("0") else { return nil }
        if let dot {
            guard isDecimal(mantissa[mantissa.index(after: dot)...]) else { return nil }
        }
        if let exponentStart {
            var exponent = text[text.index(after: exponentStart)...]
            if let first = exponent.first, first == "+" || first == "-" { exponent = exponent.dropFirst() }
            guard isDecimal(exponent) else { return nil }
        }
        let plain = sign + text.filter { $0 != "_" }
        if dot == nil && exponentStart == nil {
            return Int64(plain).map(TOMLValue.integer)
        }
        return Double(plain).map(TOMLValue.float)
    }

    /// Digits 0-9 with single underscores between them.
    private static func isDecimal(_ text: Substring) -> Bool {
        hasValidUnderscores(text) && text.allSatisfy { $0 == "_" || ("0"..."9").contains($0) }
    }

    /// Non-empty, and every underscore sits between two non-underscores.
    private static func hasValidUnderscores(_ text: Substring) -> Bool {
        guard let first = text.first, let last = text.last, first != "_", last != "_" else { return false }
        return !text.contains("__")
    }
}
