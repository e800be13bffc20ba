import Foundation
import Testing

/// What the golden-vector tests of every module share: reading `Golden/*.json` from a test target's bundle,
/// hex text both ways, and a seeded generator for replayable random round trips.
package enum GoldenVectors {
    /// Decodes `Golden/<name>.json` from `bundle` (the test target's `Bundle.module`, which copies its `Golden`
    /// directory).
    package static func load<Document: Decodable>(
        _ name: String, as type: Document.Type = Document.self, from bundle: Bundle
    ) throws -> Document {
        let url = try #require(bundle.url(forResource: name, withExtension: "json", subdirectory: "Golden"))
        return try JSONDecoder().decode(Document.self, from: Data(contentsOf: url))
    }

    /// The bytes of a hex string (either case); a test failure when its length is odd or a pair is not hex.
    package static func bytes(hex: String) throws -> [UInt8] {
        let digits = Array(hex.utf8)
        try #require(digits.count % 2 == 0, "odd-length hex")
        return try stride(from: 0, to: digits.count, by: 2).map { index in
            try #require(UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16))
        }
    }

    /// The lowercase hex text of bytes.
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// A deterministic random number generator (splitmix64), so that random round trips can be replayed.
    package struct SeededGenerator: RandomNumberGenerator {
        /// The generator's state.
        package var state: UInt64

        /// A generator starting from `state`.
        package init(state: UInt64) {
            self.state = state
        }

        /// The next 64 random bits.
        package mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
    }
}
