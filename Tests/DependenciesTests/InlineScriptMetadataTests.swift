import Testing

@testable import Dependencies

@Suite struct InlineScriptMetadataTests {
    /// PEP 723's own example.
    @Test func readsThePEPExample() throws {
        let code = """
            # /// script
            # requires-python = ">=3.11"
            # dependencies = [
            #   "requests<3",
            #   "rich",
            # ]
            # ///

            import requests
            from rich.pretty import pprint

            resp = requests.get("https://peps.python.org/api/peps.json")
            """
        let metadata = try #require(try InlineScriptMetadata.parse(code))
        #expect(metadata.dependencies.map(\.description) == ["requests<3", "rich"])
        #expect(metadata.requiresPython?.description == ">=3.11")
    }

    /// PEP 723's example with a `[tool]` table, which is parsed and ignored.
    @Test func ignoresToolTables() throws {
        let code = """
            # /// script
            # dependencies = ["rich"]
            # [tool.my-runner]
            # mode = "isolated"
            # ///
            print("hi")
            """
        let metadata = try #require(try InlineScriptMetadata.parse(code))
        #expect(metadata.dependencies.map(\.description) == ["rich"])
        #expect(metadata.requiresPython == nil)
    }

    @Test func codeWithoutABlockHasNoMetadata() throws {
        #expect(try InlineScriptMetadata.parse("print('hello')\n") == nil)
        #expect(try InlineScriptMetadata.parse("") == nil)
        // Blocks of another type, and a script block that is never closed, do not count.
        #expect(try InlineScriptMetadata.parse("# /// pyproject\n# x = 1\n# ///\n") == nil)
        #expect(try InlineScriptMetadata.parse("# /// script\n# dependencies = []\nprint(1)\n") == nil)
        // Indented, or with a trailing space, the opening line is not one.
        #expect(try InlineScriptMetadata.parse(" # /// script\n# a = 1\n# ///\n") == nil)
        #expect(try InlineScriptMetadata.parse("# /// script \n# a = 1\n# ///\n") == nil)
    }

    @Test func aBlockWithNoKeysIsEmptyMetadata() throws {
        let metadata = try #require(try InlineScriptMetadata.parse("# /// script\n#\n# ///\n"))
        #expect(metadata == InlineScriptMetadata(dependencies: [], requiresPython: nil))
    }

    @Test func twoScriptBlocksAreAnError() {
        let code = """
            # /// script
            # dependencies = ["a"]
            # ///

            # /// script
            # dependencies = ["b"]
            # ///
            """
        #expect(throws: InlineScriptMetadataError.multipleScriptBlocks) { try InlineScriptMetadata.parse(code) }
    }

    /// The reference regex is greedy: the block closes at the last `# ///` of the comment run, so a `# ///` in
    /// the middle is content (and here invalid TOML, as it is for the reference implementation).
    @Test func theLastClosingLineOfTheRunCloses() {
        let code = """
            # /// script
            # dependencies = ["a"]
            # ///
            # requires-python = ">=3"
            # ///
            x = 1
            """
        #expect(throws: InlineScriptMetadataError.invalidTOML(TOMLError(line: 2, reason: "expected a key, found '/'")))
        {
            try InlineScriptMetadata.parse(code)
        }
    }

    @Test func readsWindowsLineEndingsAndABareHash() throws {
        let code = "# /// script\r\n# dependencies = [\r\n#\r\n#   \"a\",\r\n# ]\r\n# ///\r\n"
        let metadata = try #require(try InlineScriptMetadata.parse(code))
        #expect(metadata.dependencies.map(\.name) == ["a"])
    }

    /// A block inside a docstring is still a block: PEP 723 works on lines, not on Python's grammar.
    @Test func findsABlockAfterOtherCode() throws {
        let code = "import sys\n\n# /// script\n# dependencies = [\"cm-alpha==1.0\"]\n# ///\n"
        #expect(try InlineScriptMetadata.parse(code)?.dependencies.map(\.description) == ["cm-alpha==1.0"])
    }

    @Test func badTOMLIsAnErrorWithItsLine() {
        let code = "# /// script\n# dependencies = [\n#   \"a\"\n#   \"b\"\n# ]\n# ///\n"
        #expect(
            throws: InlineScriptMetadataError.invalidTOML(
                TOMLError(line: 3, reason: "expected ',' or ']' in an array, found '\"'"))
        ) { try InlineScriptMetadata.parse(code) }
    }

    @Test(arguments: [
        (
            "dependencies = \"requests\"",
            InlineScriptMetadataError.wrongType(
                key: "dependencies", expected: "an array of strings", found: "string")
        ),
        (
            "dependencies = [1]",
            .wrongType(key: "dependencies", expected: "an array of strings", found: "an array holding integer")
        ),
        ("requires-python = 3.11", .wrongType(key: "requires-python", expected: "a string", found: "float")),
        ("requires-python = \">=three\"", .invalidRequiresPython(">=three")),
    ])
    func wrongTypesAreErrors(line: String, error: InlineScriptMetadataError) {
        #expect(throws: error) { try InlineScriptMetadata.parse("# /// script\n# \(line)\n# ///\n") }
    }

    @Test func boundsTheNumberAndLengthOfDependencies() {
        let many = (0...InlineScriptMetadata.maximumDependencies).map { "\"p\($0)\"" }.joined(separator: ", ")
        #expect(throws: InlineScriptMetadataError.tooManyDependencies(count: 257, limit: 256)) {
            try InlineScriptMetadata.parse("# /// script\n# dependencies = [\(many)]\n# ///\n")
        }
        let long = "a" + String(repeating: "b", count: 1024)
        #expect(throws: InlineScriptMetadataError.valueTooLong(key: "dependencies", bytes: 1025, limit: 1024)) {
            try InlineScriptMetadata.parse("# /// script\n# dependencies = [\"\(long)\"]\n# ///\n")
        }
        let huge = "# /// script\n" + String(repeating: "# x = 1\n", count: 11000) + "# ///\n"
        #expect(throws: InlineScriptMetadataError.blockTooLarge(bytes: 66000, limit: 65536)) {
            try InlineScriptMetadata.parse(huge)
        }
    }

    @Test func checksRequiresPythonAgainstTheInterpreter() throws {
        let metadata = try #require(
            try InlineScriptMetadata.parse("# /// script\n# requires-python = \">=3.12\"\n# ///\n"))
        #expect(throws: InlineScriptMetadataError.unsupportedPython(requiresPython: ">=3.12", interpreter: "3.11.2")) {
            try metadata.checkRequiresPython(interpreterVersion: PEP440Version("3.11.2")!)
        }
        #expect(throws: Never.self) { try metadata.checkRequiresPython(interpreterVersion: PEP440Version("3.12.1")!) }
    }
}
