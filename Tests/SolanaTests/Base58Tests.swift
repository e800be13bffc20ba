import GoldenVectorSupport
import Solana
import Testing

@Suite struct Base58Tests {
    struct Vectors: Decodable {
        struct Case: Decodable {
            let hex: String
            let base58: String
        }
        struct Invalid: Decodable {
            let text: String
            let character: String
            let position: Int
        }
        let cases: [Case]
        let invalid: [Invalid]
    }

    @Test func encodesAndDecodesLikeSolders() throws {
        let vectors = try SolanaGolden.load("base58", as: Vectors.self)
        #expect(vectors.cases.count > 30)
        for vector in vectors.cases {
            let bytes = try GoldenVectors.bytes(hex: vector.hex)
            #expect(Base58.encode(bytes) == vector.base58, "encode \(vector.hex)")
            #expect(try Base58.decode(vector.base58) == bytes, "decode \(vector.base58)")
        }
    }

    @Test func leadingZerosAndEmpty() throws {
        #expect(Base58.encode([]) == "")
        #expect(try Base58.decode("") == [])
        #expect(Base58.encode([0, 0, 1]) == "112")
        #expect(try Base58.decode("111") == [0, 0, 0])
    }

    @Test func namesTheBadCharacterAndItsPosition() throws {
        let vectors = try SolanaGolden.load("base58", as: Vectors.self)
        for vector in vectors.invalid {
            let character = try #require(vector.character.first)
            #expect(throws: Base58.DecodingError.invalidCharacter(character, position: vector.position)) {
                try Base58.decode(vector.text)
            }
        }
        #expect(
            Base58.DecodingError.invalidCharacter("0", position: 3).description
                == "invalid base58 character '0' at position 3")
    }

    @Test func randomRoundTrips() throws {
        var generator = GoldenVectors.SeededGenerator(state: 58)
        for _ in 0..<300 {
            let zeros = Int.random(in: 0...3, using: &generator)
            let bytes =
                [UInt8](repeating: 0, count: zeros)
                + SolanaGolden.randomBytes(Int.random(in: 0...80, using: &generator), using: &generator)
            #expect(try Base58.decode(Base58.encode(bytes)) == bytes)
        }
    }
}
