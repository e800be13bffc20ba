#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Finds PEP 723 metadata blocks exactly as the PEP's reference regular expression does,
///
///     (?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$
///
/// applied with `re.finditer`, without a regular-expression engine: an opening line `# /// TYPE`, then the
/// longest run of comment lines (`#` alone or `# ` and anything), closed by the **last** `# ///` line of that
/// run that leaves at least one content line (the greedy `+` backtracking to it). Scanning resumes after a
/// block's closing line, or at the next line when an opening line has no closing.
///
/// Lines end at `\n`; `\r\n` and a lone `\r` are read as `\n` first, as Python reads a source file (universal
/// newlines).
enum ScriptBlockScanner {
    /// One metadata block: its type and its content lines, without their `#` prefix, joined with `\n`.
    struct Block {
        var type: String
        var content: String
    }

    private static let scriptOpening = Array("# /// script".utf8)

    /// Whether `bytes` can hold a `script` block at all: a substring search (`memchr` for each `#`, then
    /// `memcmp`), so that code without metadata costs that and nothing else.
    static func mayContainScriptBlock(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { haystack in
            scriptOpening.withUnsafeBytes { needle in
                guard let base = haystack.baseAddress, haystack.count >= needle.count else { return false }
                var offset = 0
                let lastStart = haystack.count - needle.count
                while offset <= lastStart {
                    guard let found = memchr(base + offset, Int32(UInt8(ascii: "#")), lastStart - offset + 1) else {
                        return false
                    }
                    let start = base.distance(to: UnsafeRawPointer(found))
                    if memcmp(base + start, needle.baseAddress!, needle.count) == 0 { return true }
                    offset = start + 1
                }
                return false
            }
        }
    }

    /// Every block in `bytes`, in order.
    static func blocks(in bytes: [UInt8]) -> [Block] {
        let lines = splitLines(normalizingNewlines(bytes))
        var blocks: [Block] = []
        var index = 0
        while index < lines.count {
            guard lines[index].endsWithNewline, let type = openingType(lines[index].bytes) else {
                index += 1
                continue
            }
            var lastContent = index
            while lastContent + 1 < lines.count, lines[lastContent + 1].endsWithNewline,
                isContentLine(lines[lastContent + 1].bytes)
            {
                lastContent += 1
            }
            var closing = min(lastContent + 1, lines.count - 1)
            while closing >= index + 2 && !lines[closing].bytes.elementsEqual(closingLine) { closing -= 1 }
            guard closing >= index + 2 else {
                index += 1
                continue
            }
            let content = lines[(index + 1)..<closing].map { String(decoding: $0.bytes, as: UTF8.self) + "\n" }.joined()
            blocks.append(Block(type: type, content: stripCommentPrefixes(content)))
            index = closing + 1
        }
        return blocks
    }

    private static let closingLine = Array("# ///".utf8)

    private struct Line {
        var bytes: ArraySlice<UInt8>
        var endsWithNewline: Bool
    }

    private static func normalizingNewlines(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "\r")) else { return bytes }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\r") {
                output.append(UInt8(ascii: "\n"))
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
            } else {
                output.append(bytes[index])
            }
            index += 1
        }
        return output
    }

    private static func splitLines(_ bytes: [UInt8]) -> [Line] {
        var lines: [Line] = []
        var start = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            lines.append(Line(bytes: bytes[start..<index], endsWithNewline: true))
            start = index + 1
        }
        lines.append(Line(bytes: bytes[start...], endsWithNewline: false))
        return lines
    }

    /// `# /// TYPE` with TYPE in `[a-zA-Z0-9-]+` and nothing after it: TYPE.
    private static func openingType(_ line: ArraySlice<UInt8>) -> String? {
        let prefix = Array("# /// ".utf8)
        guard line.count > prefix.count, line.prefix(prefix.count).elementsEqual(prefix) else { return nil }
        let type = line.dropFirst(prefix.count)
        guard type.allSatisfy({ PackageName.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return nil }
        return String(decoding: type, as: UTF8.self)
    }

    /// `#` alone, or `# ` followed by anything.
    private static func isContentLine(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.first == UInt8(ascii: "#") else { return false }
        return line.count == 1 || line[line.startIndex + 1] == UInt8(ascii: " ")
    }

    /// The reference implementation's
    /// `''.join(line[2:] if line.startswith('# ') else line[1:] for line in content.splitlines(keepends=True))`,
    /// with Python's `str.splitlines` boundaries (form feed, vertical tab, U+2028 and the rest split a line
    /// there too).
    private static func stripCommentPrefixes(_ content: String) -> String {
        var output = String.UnicodeScalarView()
        var line = String.UnicodeScalarView()
        func flush() {
            var scalars = Substring.UnicodeScalarView(line)
            if scalars.starts(with: "# ".unicodeScalars) {
                scalars = scalars.dropFirst(2)
            } else if !scalars.isEmpty {
                scalars = scalars.dropFirst()
            }
            output.append(contentsOf: scalars)
            line = String.UnicodeScalarView()
        }
        for scalar in content.unicodeScalars {
            line.append(scalar)
            if isPythonLineBoundary(scalar) { flush() }
        }
        if !line.isEmpty { flush() }
        return String(output)
    }

    private static func isPythonLineBoundary(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: true
        default: false
        }
    }
}
