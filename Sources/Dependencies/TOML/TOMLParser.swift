/// Reads a TOML 1.0 document into a table of ``TOMLValue``s: what PEP 723 metadata and the `[tool]` tables
/// written beside it use.
///
/// Supported: comments; bare, quoted and dotted keys; basic strings (every TOML 1.0 escape), literal strings
/// and their multi-line forms; integers (decimal, `0x`, `0o`, `0b`, with `_`), floats, booleans; arrays, also
/// over several lines with comments and a trailing comma; inline tables; `[table]` and `[[array of tables]]`
/// headers, with TOML's rules against defining a table twice. Not supported, and reported as such with the
/// line: offset dates, local dates and times (TOML's four date-time types). Nesting of arrays and inline
/// tables is bounded by ``maximumNesting``.
public enum TOMLParser {
    /// The deepest nesting of arrays and inline tables accepted (the parser recurses once per level).
    public static let maximumNesting = 32

    /// The document `text` as its root table.
    public static func parse(_ text: String) throws(TOMLError) -> [String: TOMLValue] {
        var document = TOMLDocument()
        var reader = TOMLReader(bytes: Array(text.utf8))
        try document.read(&reader)
        return document.root
    }
}

/// The root table being built and the bookkeeping TOML's "define once" rules need.
struct TOMLDocument {
    /// A path of keys from the root; an array of tables on the way stands for its last element.
    typealias Path = [String]

    var root: [String: TOMLValue] = [:]
    /// The table key/value lines go into: the last header's path.
    private var section: Path = []
    /// Tables defined by a `[header]`.
    private var explicitTables: Set<Path> = []
    /// Tables created by dotted keys (`a.b = 1` creates `a`).
    private var dottedTables: Set<Path> = []
    /// Arrays created by `[[header]]`, the only arrays a header may extend.
    private var tableArrays: Set<Path> = []
    /// Values written whole by `key = value` (inline tables and arrays among them): nothing may extend them.
    private var frozen: Set<Path> = []

    mutating func read(_ reader: inout TOMLReader) throws(TOMLError) {
        while true {
            reader.skipWhitespace()
            guard let byte = reader.peek() else { return }
            switch byte {
            case UInt8(ascii: "#"):
                try reader.skipComment()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try reader.consumeNewline()
                continue
            case UInt8(ascii: "["):
                try readHeader(&reader)
            default:
                try readKeyValue(&reader)
            }
            try reader.finishLine()
        }
    }

    private mutating func readHeader(_ reader: inout TOMLReader) throws(TOMLError) {
        reader.advance()
        let isArray = reader.peek() == UInt8(ascii: "[")
        if isArray { reader.advance() }
        reader.skipWhitespace()
        let path = try reader.readKey()
        reader.skipWhitespace()
        try reader.expect("]", "a header must end with ']'")
        if isArray { try reader.expect("]", "an array-of-tables header must end with ']]'") }
        let line = reader.line
        for length in 1...path.count where frozen.contains(Array(path.prefix(length))) {
            throw TOMLError(
                line: line, reason: "'\(dotted(path.prefix(length)))' was defined inline and cannot be extended")
        }
        if isArray {
            let extendsTableArray = tableArrays.contains(path)
            try Self.withTable(Array(path.dropLast()), in: &root, line: line) { (table) throws(TOMLError) in
                let last = path[path.count - 1]
                switch table[last] {
                case nil:
                    table[last] = .array([.table([:])])
                case .array(var elements) where extendsTableArray:
                    elements.append(.table([:]))
                    table[last] = .array(elements)
                case let existing?:
                    throw TOMLError(
                        line: line,
                        reason: "'\(path.joined(separator: "."))' is already defined as \(existing.typeName)")
                }
            }
            tableArrays.insert(path)
            // The new element is a fresh table: forget what was defined in the previous one.
            let isInside: (Path) -> Bool = { $0.count > path.count && Array($0.prefix(path.count)) == path }
            explicitTables = explicitTables.filter { !isInside($0) }
            dottedTables = dottedTables.filter { !isInside($0) }
            tableArrays = tableArrays.filter { !isInside($0) }
            frozen = frozen.filter { !isInside($0) }
        } else {
            if explicitTables.contains(path) || dottedTables.contains(path) || tableArrays.contains(path) {
                throw TOMLError(line: line, reason: "table '\(dotted(path))' is defined more than once")
            }
            try Self.withTable(path, in: &root, line: line) { (_) throws(TOMLError) in }
            explicitTables.insert(path)
        }
        section = path
    }

    /// One `key = value`, into the current section (in a document) or the table itself (in an inline table).
    mutating func readKeyValue(_ reader: inout TOMLReader, depth: Int = 0) throws(TOMLError) {
        let key = try reader.readKey()
        reader.skipWhitespace()
        try reader.expect("=", "expected '=' after the key '\(dotted(key[...]))'")
        reader.skipWhitespace()
        let line = reader.line
        let value = try reader.readValue(depth: depth)
        let full = section + key
        for length in (section.count + 1)..<full.count {
            let parent = Array(full.prefix(length))
            if frozen.contains(parent) || explicitTables.contains(parent) || tableArrays.contains(parent) {
                throw TOMLError(line: line, reason: "'\(dotted(parent[...]))' cannot be extended with a dotted key")
            }
            dottedTables.insert(parent)
        }
        try Self.withTable(Array(full.dropLast()), in: &root, line: line) { (table) throws(TOMLError) in
            let last = full[full.count - 1]
            if table[last] != nil {
                throw TOMLError(line: line, reason: "duplicate key '\(full.joined(separator: "."))'")
            }
            table[last] = value
        }
        frozen.insert(full)
    }

    /// Runs `body` on the table at `path`, creating missing tables on the way; an array of tables on the way
    /// stands for its last element.
    private static func withTable(
        _ path: Path, in table: inout [String: TOMLValue], line: Int,
        _ body: (inout [String: TOMLValue]) throws(TOMLError) -> Void
    ) throws(TOMLError) {
        try descend(path[...], in: &table, line: line, body)
    }

    private static func descend(
        _ path: ArraySlice<String>, in table: inout [String: TOMLValue], line: Int,
        _ body: (inout [String: TOMLValue]) throws(TOMLError) -> Void
    ) throws(TOMLError) {
        guard let first = path.first else {
            try body(&table)
            return
        }
        switch table.removeValue(forKey: first) ?? .table([:]) {
        case .table(var inner):
            try descend(path.dropFirst(), in: &inner, line: line, body)
            table[first] = .table(inner)
        case .array(var elements):
            guard case .table(var inner)? = elements.last else {
                throw TOMLError(line: line, reason: "'\(first)' is an array, not a table")
            }
            try descend(path.dropFirst(), in: &inner, line: line, body)
            elements[elements.count - 1] = .table(inner)
            table[first] = .array(elements)
        case let other:
            throw TOMLError(line: line, reason: "'\(first)' is already defined as \(other.typeName)")
        }
    }

    private func dotted(_ path: some Sequence<String>) -> String { path.joined(separator: ".") }
}
