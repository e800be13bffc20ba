import Foundation
import GoldenVectorSupport
import Solana
import Testing

@Suite struct KeypairTests {
    struct Vectors: Decodable {
        struct Case: Decodable {
            let seed: String
            let file: String
            let address: String
            let message: String
            let signature: String
        }
        let cases: [Case]
    }

    /// A fresh directory for files of one test.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "keypair-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func seedFileAddressAndSignatureMatchSolders() throws {
        let vectors = try SolanaGolden.load("keypairs", as: Vectors.self)
        for vector in vectors.cases {
            let keypair = try Keypair(seed: GoldenVectors.bytes(hex: vector.seed))
            #expect(keypair.publicKey.base58 == vector.address)
            let fromFile = try Keypair(fileContents: Data(vector.file.utf8), path: "golden.json")
            #expect(fromFile.publicKey.base58 == vector.address)
            let message = try GoldenVectors.bytes(hex: vector.message)
            let signature = keypair.sign(message)
            #expect(keypair.publicKey.verify(signature: signature, message: message))
            #if os(Linux)
                // swift-crypto on Linux signs with BoringSSL: deterministic RFC 8032 ed25519, as solders.
                #expect(signature.base58 == vector.signature)
            #endif
            #expect(keypair.publicKey.verify(signature: try Signature(base58: vector.signature), message: message))
        }
    }

    @Test func saveWritesTheCLIFormatAtomicallyWithMode0600() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/id.json"
        let keypair = Keypair.generate()
        try keypair.save(toFile: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let numbers = try JSONDecoder().decode([Int].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(numbers.count == 64)
        #expect(numbers[32...].map { UInt8($0) } == keypair.publicKey.bytes)
        #expect(try Keypair(contentsOfFile: path).publicKey == keypair.publicKey)
        // Saving again replaces the file and leaves no temporary file behind.
        let other = Keypair.generate()
        try other.save(toFile: path)
        #expect(try Keypair(contentsOfFile: path).publicKey == other.publicKey)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["id.json"])
    }

    @Test func saveIntoAMissingDirectoryIsANamedError() throws {
        let path = "/nonexistent-\(UUID().uuidString)/id.json"
        #expect {
            try Keypair.generate().save(toFile: path)
        } throws: { error in
            guard let error = error as? KeypairFileError, case .unwritable = error.problem else { return false }
            return error.path == path && error.description.contains(path)
        }
    }

    @Test func malformedFilesAreNamedErrors() throws {
        let keypair = try Keypair(seed: [UInt8](repeating: 7, count: 32))
        let good = try Keypair(seed: [UInt8](repeating: 7, count: 32)).publicKey.bytes
        let seed = [Int](repeating: 7, count: 32)
        func json(_ numbers: [Int]) -> Data { Data("[\(numbers.map(String.init).joined(separator: ","))]".utf8) }
        let mismatched = seed + good.map { Int($0 ^ 1) }
        let cases: [(Data, KeypairFileError.Problem)] = [
            (json(Array((seed + good.map(Int.init)).prefix(63))), .wrongCount(63)),
            (json(seed + good.map(Int.init) + [1]), .wrongCount(65)),
            (json([]), .wrongCount(0)),
            (json(Array(seed.dropLast()) + [256] + good.map(Int.init)), .numberOutOfRange(index: 31)),
            (json([-1] + Array(seed.dropFirst()) + good.map(Int.init)), .numberOutOfRange(index: 0)),
            (json(mismatched), .publicKeyMismatch),
            (Data("not json".utf8), .notJSON),
            (Data("{\"key\": 1}".utf8), .notAnArrayOfIntegers),
            (Data("[1.5, 2]".utf8), .notAnArrayOfIntegers),
            (Data("[\"1\"]".utf8), .notAnArrayOfIntegers),
        ]
        for (data, problem) in cases {
            #expect(throws: KeypairFileError(path: "/keys/worker.json", problem: problem)) {
                try Keypair(fileContents: data, path: "/keys/worker.json")
            }
        }
        #expect(try Keypair(fileContents: json(seed + good.map(Int.init)), path: "ok").publicKey == keypair.publicKey)
        let message = KeypairFileError(path: "/keys/worker.json", problem: .wrongCount(63)).description
        #expect(message.contains("/keys/worker.json") && message.contains("63"))
        let mismatch = KeypairFileError(path: "/keys/worker.json", problem: .publicKeyMismatch).description
        #expect(mismatch.contains("public key"))
    }

    @Test func missingFileIsANamedError() throws {
        let path = "/nonexistent-\(UUID().uuidString).json"
        #expect {
            try Keypair(contentsOfFile: path)
        } throws: { error in
            guard let error = error as? KeypairFileError, case .unreadable = error.problem else { return false }
            return error.path == path
        }
    }

    @Test func secretBytesNeverAppearInDescriptions() throws {
        let seed = [UInt8](repeating: 0xAB, count: 32)
        let keypair = try Keypair(seed: seed)
        var dumped = ""
        dump(keypair, to: &dumped)
        for text in [keypair.description, keypair.debugDescription, String(reflecting: keypair), dumped, "\(keypair)"] {
            #expect(text.contains(keypair.publicKey.base58))
            #expect(!text.contains("171"))  // 0xAB as a number
            #expect(!text.lowercased().contains("abab"))
            #expect(!text.contains(Base58.encode(seed)))
        }
    }

    @Test func seedOfWrongLengthIsRefused() {
        #expect(throws: Keypair.SeedError.wrongLength(31)) { try Keypair(seed: [UInt8](repeating: 1, count: 31)) }
    }

    @Test func generatedKeypairsDiffer() {
        #expect(Keypair.generate().publicKey != Keypair.generate().publicKey)
    }
}
