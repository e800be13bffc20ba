import Foundation
import GoldenVectorSupport
import Testing

@testable import Dependencies

/// The block scanner against PEP 723's reference regex: Golden/pep723.json is written by
/// scripts/golden-deps/make_pep723_vectors.py with Python's `re`.
@Suite struct ScriptBlockScannerTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            struct Block: Decodable, Equatable {
                var type: String
                var content: String
            }
            var code: String
            var blocks: [Block]
        }
        var cases: [Case]
    }

    @Test func findsTheBlocksTheReferenceRegexFinds() throws {
        let golden: Golden = try GoldenVectors.load("pep723", from: .module)
        #expect(golden.cases.count > 20)
        for item in golden.cases {
            let found = ScriptBlockScanner.blocks(in: Array(item.code.utf8)).map {
                Golden.Case.Block(type: $0.type, content: $0.content)
            }
            #expect(found == item.blocks, "\(item.code.debugDescription)")
        }
    }

    @Test func theCheapScanFindsOnlyTheOpeningText() {
        #expect(ScriptBlockScanner.mayContainScriptBlock(Array("x = 1\n# /// script\n".utf8)))
        #expect(ScriptBlockScanner.mayContainScriptBlock(Array("# /// script".utf8)))
        #expect(!ScriptBlockScanner.mayContainScriptBlock(Array("# /// scrip".utf8)))
        #expect(!ScriptBlockScanner.mayContainScriptBlock(Array(String(repeating: "# ", count: 1000).utf8)))
        #expect(!ScriptBlockScanner.mayContainScriptBlock([]))
    }
}
