import Foundation
import GoldenVectorSupport

/// Loads the golden vectors that scripts/golden/generate_cloudmesh.py wrote with solders.
enum CloudMeshGolden {
    /// Decodes `Golden/<name>.json` from the test bundle.
    static func load<Document: Decodable>(_ name: String, as type: Document.Type = Document.self) throws -> Document {
        try GoldenVectors.load(name, from: .module)
    }

    /// A random string of at most `maxBytes` UTF-8 bytes, mixing ASCII and multi-byte characters.
    static func randomText(maxBytes: Int, using generator: inout GoldenVectors.SeededGenerator) -> String {
        let alphabet = Array("abcxyz019 -_éü日本🚀")
        var text = ""
        for _ in 0..<Int.random(in: 0...maxBytes, using: &generator) {
            let next = text + String(alphabet.randomElement(using: &generator) ?? "a")
            if next.utf8.count > maxBytes { break }
            text = next
        }
        return text
    }
}
