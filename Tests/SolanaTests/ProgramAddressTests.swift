import Foundation
import GoldenVectorSupport
import Solana
import Testing

@Suite struct ProgramAddressTests {
    struct Vectors: Decodable {
        struct Find: Decodable {
            let seeds: [String]
            let programId: PublicKey
            let address: PublicKey
            let bump: UInt8
        }
        struct Create: Decodable {
            let seeds: [String]
            let programId: PublicKey
            let address: PublicKey?
        }
        struct Refused: Decodable {
            let seeds: [String]
            let programId: PublicKey
        }
        let find: [Find]
        let create: [Create]
        let refusedSeedTooLong: [Refused]
    }

    struct CurveVectors: Decodable {
        struct Case: Decodable {
            let hex: String
            let onCurve: Bool
        }
        let cases: [Case]
    }

    @Test func onCurveTestMatchesSolana() throws {
        let vectors = try SolanaGolden.load("curve", as: CurveVectors.self)
        #expect(vectors.cases.contains { $0.onCurve } && vectors.cases.contains { !$0.onCurve })
        for vector in vectors.cases {
            let key = try PublicKey(bytes: GoldenVectors.bytes(hex: vector.hex))
            #expect(key.isOnCurve == vector.onCurve, "\(vector.hex)")
        }
    }

    @Test func walletsAreOnCurveAndProgramAddressesAreNot() throws {
        for _ in 0..<42 {
            #expect(Keypair.generate().publicKey.isOnCurve)
            let seed = [UInt8](UUID().uuidString.utf8.prefix(32))
            #expect(!(try PublicKey.findProgramAddress(seeds: [seed], programId: .systemProgram).address.isOnCurve))
        }
    }

    @Test func findProgramAddressMatchesSolders() throws {
        let vectors = try SolanaGolden.load("pdas", as: Vectors.self)
        for vector in vectors.find {
            let seeds = try vector.seeds.map(GoldenVectors.bytes(hex:))
            let found = try PublicKey.findProgramAddress(seeds: seeds, programId: vector.programId)
            #expect(found.address == vector.address && found.bump == vector.bump, "\(vector.seeds)")
            #expect(!found.address.isOnCurve)
        }
    }

    @Test func createProgramAddressMatchesSolders() throws {
        let vectors = try SolanaGolden.load("pdas", as: Vectors.self)
        #expect(vectors.create.contains { $0.address == nil })
        for vector in vectors.create {
            let seeds = try vector.seeds.map(GoldenVectors.bytes(hex:))
            if let address = vector.address {
                #expect(try PublicKey.createProgramAddress(seeds: seeds, programId: vector.programId) == address)
            } else {
                #expect(throws: ProgramAddressError.onCurve) {
                    try PublicKey.createProgramAddress(seeds: seeds, programId: vector.programId)
                }
            }
        }
    }

    @Test func seedsOver32BytesAreRefusedLikeSolana() throws {
        let vectors = try SolanaGolden.load("pdas", as: Vectors.self)
        #expect(!vectors.refusedSeedTooLong.isEmpty)
        for vector in vectors.refusedSeedTooLong {
            let seeds = try vector.seeds.map(GoldenVectors.bytes(hex:))
            let index = try #require(seeds.firstIndex { $0.count > 32 })
            let error = ProgramAddressError.seedTooLong(index: index, length: seeds[index].count)
            #expect(throws: error) { try PublicKey.createProgramAddress(seeds: seeds, programId: vector.programId) }
            #expect(throws: error) { try PublicKey.findProgramAddress(seeds: seeds, programId: vector.programId) }
        }
    }

    @Test func tooManySeedsAreRefused() {
        let seeds = [[UInt8]](repeating: [1], count: 16)
        #expect(throws: ProgramAddressError.tooManySeeds(count: 17)) {
            try PublicKey.findProgramAddress(seeds: seeds, programId: .systemProgram)
        }
        #expect(throws: ProgramAddressError.tooManySeeds(count: 17)) {
            try PublicKey.createProgramAddress(seeds: seeds + [[2]], programId: .systemProgram)
        }
        #expect(ProgramAddressError.seedTooLong(index: 2, length: 40).description.contains("40 bytes"))
    }
}
