import Testing

@testable import Dependencies

@Suite struct TOMLParserTests {
    @Test func readsStringsOfEveryKind() throws {
        let table = try TOMLParser.parse(
            #"""
            basic = "tab\there \"quoted\" \\ \u00e9 \U0001F600"
            literal = 'C:\path\no escapes'
            multi = """
            first
              second \
                 joined"""
            multiLiteral = '''
            raw \n line
            '''
            quotes = """two "" quotes"" """
            """#)
        #expect(table["basic"] == .string("tab\there \"quoted\" \\ é 😀"))
        #expect(table["literal"] == .string(#"C:\path\no escapes"#))
        #expect(table["multi"] == .string("first\n  second joined"))
        #expect(table["multiLiteral"] == .string("raw \\n line\n"))
        #expect(table["quotes"] == .string(#"two "" quotes"" "#))
    }

    @Test func readsNumbersBooleansArraysAndTables() throws {
        let table = try TOMLParser.parse(
            """
            # a comment
            count = 1_000  # trailing comment
            negative = -17
            hex = 0xDEAD_beef
            octal = 0o755
            binary = 0b1101
            ratio = 6.25e-1
            infinite = -inf
            flag = true
            dependencies = [
                "requests<3",  # why
                'rich',
            ]
            nested = [[1, 2], ["a"], []]
            point = { x = 1, y.z = "deep" }

            [tool.uv]
            exclude-newer = "2024-01-01T00:00:00Z"
            "quoted key" = false

            [[tool.matrix]]
            python = "3.11"
            [[tool.matrix]]
            python = "3.12"
            """)
        #expect(table["count"] == .integer(1000))
        #expect(table["negative"] == .integer(-17))
        #expect(table["hex"] == .integer(0xDEAD_BEEF))
        #expect(table["octal"] == .integer(0o755))
        #expect(table["binary"] == .integer(13))
        #expect(table["ratio"] == .float(0.625))
        #expect(table["infinite"] == .float(-.infinity))
        #expect(table["flag"] == .boolean(true))
        #expect(table["dependencies"] == .array([.string("requests<3"), .string("rich")]))
        #expect(table["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.string("a")]), .array([])]))
        #expect(table["point"] == .table(["x": .integer(1), "y": .table(["z": .string("deep")])]))
        #expect(
            table["tool"]
                == .table([
                    "uv": .table(["exclude-newer": .string("2024-01-01T00:00:00Z"), "quoted key": .boolean(false)]),
                    "matrix": .array([.table(["python": .string("3.11")]), .table(["python": .string("3.12")])]),
                ]))
    }

    @Test(arguments: [
        ("a = 1\na = 2", 2, "duplicate key 'a'"),
        ("a = \"unterminated", 1, "unterminated string"),
        ("a = [1, 2", 1, "unterminated array: expected ']'"),
        ("x = 1\ny = 1979-05-27", 2, "dates and times are not supported ('1979-05-27')"),
        ("a = bare", 1, "invalid value 'bare' (strings must be quoted)"),
        ("a = 01", 1, "invalid number '01'"),
        ("a = 1__0", 1, "invalid number '1__0'"),
        ("a = \"\\x41\"", 1, "invalid escape '\\x' in a string"),
        ("a = { b = 1, }", 1, "an inline table cannot have a trailing comma"),
        ("a = 1 b = 2", 1, "unexpected 'b' after a value or header (one statement per line)"),
        ("[t]\n[t]", 2, "table 't' is defined more than once"),
        ("a = { b = 1 }\n[a]", 2, "'a' was defined inline and cannot be extended"),
        ("a.b = 1\n[a]", 2, "table 'a' is defined more than once"),
        ("a = 1\na.b = 2", 2, "'a' cannot be extended with a dotted key"),
        ("[a]\nb.c = 1\n[a.b]", 3, "table 'a.b' is defined more than once"),
        ("a = [1]\n[[a]]", 2, "'a' was defined inline and cannot be extended"),
        ("\n\nkey", 3, "expected '=' after the key 'key'"),
        ("a = \"\u{1}\"", 1, "control character U+01 in a string"),
    ])
    func refusesMalformedDocumentsWithTheLine(document: String, line: Int, reason: String) {
        #expect(throws: TOMLError(line: line, reason: reason)) { try TOMLParser.parse(document) }
    }

    @Test func boundsNesting() {
        let deep = "a = " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
        #expect(throws: TOMLError(line: 1, reason: "arrays and inline tables nested deeper than 32 levels")) {
            try TOMLParser.parse(deep)
        }
        #expect(throws: Never.self) {
            try TOMLParser.parse("a = " + String(repeating: "[", count: 32) + String(repeating: "]", count: 32))
        }
    }
}
