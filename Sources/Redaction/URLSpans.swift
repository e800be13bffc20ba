/// Finds URL-looking substrings (`scheme://…`) in UTF-8 text.
enum URLSpans {
    /// The byte ranges of the URLs in `bytes`, in order, not overlapping.
    static func find(in bytes: [UInt8]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var index = 0
        var searchFrom = 0
        while let separator = nextSeparator(in: bytes, from: searchFrom) {
            searchFrom = separator + 3
            var start = separator
            while start > index, isSchemeByte(bytes[start - 1]) { start -= 1 }
            // The scheme starts at its first letter (`1http://` is `http://`).
            while start < separator, !isLetter(bytes[start]) { start += 1 }
            guard start < separator else { continue }
            var end = separator + 3
            while end < bytes.count, !isTerminator(bytes[end]) { end += 1 }
            while end > separator + 3, isTrailingPunctuation(bytes[end - 1]) { end -= 1 }
            spans.append(start..<end)
            index = end
            searchFrom = max(searchFrom, end)
        }
        return spans
    }

    /// The index just past `scheme://` when `bytes` starts with one.
    static func schemeEnd(in bytes: ArraySlice<UInt8>) -> Int? {
        guard let first = bytes.first, isLetter(first) else { return nil }
        var index = bytes.startIndex
        while index < bytes.endIndex, isSchemeByte(bytes[index]) { index += 1 }
        guard bytes.endIndex - index >= 3, bytes[index] == colon, bytes[index + 1] == slash,
            bytes[index + 2] == slash
        else { return nil }
        return index + 3
    }

    private static let colon = UInt8(ascii: ":")
    private static let slash = UInt8(ascii: "/")

    private static func nextSeparator(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 2 < bytes.count {
            if bytes[index] == colon, bytes[index + 1] == slash, bytes[index + 2] == slash { return index }
            index += 1
        }
        return nil
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isSchemeByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    /// Whitespace, controls and the characters that may not appear in a URL and commonly delimit one.
    private static func isTerminator(_ byte: UInt8) -> Bool {
        if byte <= 0x20 || byte == 0x7F { return true }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "`"),
            UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "|"), UInt8(ascii: "\\"), UInt8(ascii: "^"):
            return true
        default:
            return false
        }
    }

    private static func isTrailingPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "!"),
            UInt8(ascii: "?"), UInt8(ascii: ")"), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }
}
