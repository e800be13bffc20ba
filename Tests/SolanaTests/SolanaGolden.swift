import Foundation
import GoldenVectorSupport

/// Loads the golden vectors that scripts/golden/generate_solana.py wrote with solders.
enum SolanaGolden {
    /// Decodes `Golden/<name>.json` from the test bundle.
    static func load<Document: Decodable>(_ name: String, as type: Document.Type = Document.self) throws -> Document {
        try GoldenVectors.load(name, from: .module)
    }

    /// `count` random bytes.
    static func randomBytes(_ count: Int, using generator: inout GoldenVectors.SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
