import Foundation
import Solana
import Testing

/// Loads the golden vectors that scripts/golden/generate_solana.py wrote with solders.
enum SolanaGolden {
    /// Decodes `Golden/<name>.json` from the test bundle.
    static func load<Document: Decodable>(_ name: String, as type: Document.Type = Document.self) throws -> Document {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Golden"))
        return try JSONDecoder().decode(Document.self, from: Data(contentsOf: url))
    }

    /// The bytes of a hex string.
    static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        try #require(digits.count % 2 == 0, "odd-length hex")
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            try #require(UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16))
        }
    }

    /// The hex text of bytes.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// A deterministic random number generator, so that random round trips can be replayed.
    struct SeededGenerator: RandomNumberGenerator {
        /// The generator's state (splitmix64).
        var state: UInt64

        /// The next 64 random bits.
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }

    /// `count` random bytes.
    static func randomBytes(_ count: Int, using generator: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
