import Foundation
import GoldenVectorSupport
import Solana
import Testing

@Suite struct MessageTests {
    struct Vectors: Decodable {
        struct Meta: Decodable {
            let publicKey: PublicKey
            let isSigner: Bool
            let isWritable: Bool
        }
        struct GoldenInstruction: Decodable {
            let programId: PublicKey
            let accounts: [Meta]
            let data: String

            func instruction() throws -> Instruction {
                Instruction(
                    programId: programId,
                    accounts: accounts.map {
                        AccountMeta(publicKey: $0.publicKey, isSigner: $0.isSigner, isWritable: $0.isWritable)
                    },
                    data: try GoldenVectors.bytes(hex: data))
            }
        }
        struct Case: Decodable {
            let feePayer: PublicKey
            let recentBlockhash: String
            let instructions: [GoldenInstruction]
            let signerSeeds: [String]
            let header: [UInt8]
            let accountKeys: [PublicKey]
            let message: String
            let transaction: String
            let signature: String
        }
        let cases: [Case]
    }

    @Test func compilesLikeSolders() throws {
        let vectors = try SolanaGolden.load("messages", as: Vectors.self)
        #expect(vectors.cases.count == 40)
        for (index, vector) in vectors.cases.enumerated() {
            let message = try Message(
                feePayer: vector.feePayer, instructions: vector.instructions.map { try $0.instruction() },
                recentBlockhash: Blockhash(base58: vector.recentBlockhash))
            #expect(message.accountKeys == vector.accountKeys, "case \(index)")
            #expect(
                [
                    message.header.numRequiredSignatures, message.header.numReadonlySignedAccounts,
                    message.header.numReadonlyUnsignedAccounts,
                ] == vector.header, "case \(index)")
            #expect(GoldenVectors.hex(message.serialize()) == vector.message, "case \(index)")
        }
    }

    @Test func signsLikeSolders() throws {
        let vectors = try SolanaGolden.load("messages", as: Vectors.self)
        for (index, vector) in vectors.cases.enumerated() {
            var transaction = try Transaction(
                feePayer: vector.feePayer, instructions: vector.instructions.map { try $0.instruction() },
                recentBlockhash: Blockhash(base58: vector.recentBlockhash))
            let signers = try vector.signerSeeds.map { try Keypair(seed: GoldenVectors.bytes(hex: $0)) }
            try transaction.sign(with: signers.reversed())
            #expect(transaction.verifySignatures(), "case \(index)")
            let golden = try GoldenVectors.bytes(hex: vector.transaction)
            #if os(Linux)
                #expect(try transaction.serialize() == golden, "case \(index)")
                #expect(transaction.signature?.base58 == vector.signature)
            #endif
            // Decoding solders' bytes gives the same message and valid signatures.
            let decoded = try Transaction(serialized: golden)
            #expect(decoded.message == transaction.message, "case \(index)")
            #expect(decoded.verifySignatures(), "case \(index)")
            #expect(try Message(serialized: GoldenVectors.bytes(hex: vector.message)) == transaction.message)
        }
    }

    @Test func ordersClassesAndMergesDuplicates() throws {
        let payer = Keypair.generate().publicKey
        let program = Keypair.generate().publicKey
        let keys = (0..<4).map { _ in Keypair.generate().publicKey }
        let instruction = Instruction(
            programId: program,
            accounts: [
                AccountMeta(publicKey: keys[0], isSigner: false, isWritable: false),
                AccountMeta(publicKey: keys[1], isSigner: true, isWritable: false),
                AccountMeta(publicKey: keys[0], isSigner: false, isWritable: true),  // merged: now writable
                AccountMeta(publicKey: keys[2], isSigner: true, isWritable: true),
                AccountMeta(publicKey: payer, isSigner: false, isWritable: false),  // the payer stays first
                AccountMeta(publicKey: keys[3], isSigner: false, isWritable: false),
            ], data: [1, 2, 3])
        let message = try Message(
            feePayer: payer, instructions: [instruction],
            recentBlockhash: Blockhash(bytes: [UInt8](repeating: 9, count: 32)))
        #expect(message.accountKeys == [payer, keys[2], keys[1], keys[0]] + [keys[3], program].sorted())
        #expect(
            message.header
                == MessageHeader(numRequiredSignatures: 3, numReadonlySignedAccounts: 1, numReadonlyUnsignedAccounts: 2)
        )
        #expect(message.signerKeys == [payer, keys[2], keys[1]])
        #expect((0..<6).map(message.isWritable(at:)) == [true, true, false, true, false, false])
        let decompiled = try #require(message.decompiledInstructions.first)
        #expect(decompiled.programId == program && decompiled.data == [1, 2, 3])
        #expect(decompiled.accounts.map(\.publicKey) == instruction.accounts.map(\.publicKey))
    }

    @Test func randomMessagesRoundTrip() throws {
        var generator = GoldenVectors.SeededGenerator(state: 7)
        let pool = (0..<12).map { _ in try! PublicKey(bytes: SolanaGolden.randomBytes(32, using: &generator)) }
        for _ in 0..<100 {
            var instructions: [Instruction] = []
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                let metas = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                    AccountMeta(
                        publicKey: pool.randomElement(using: &generator)!, isSigner: Bool.random(using: &generator),
                        isWritable: Bool.random(using: &generator))
                }
                instructions.append(
                    Instruction(
                        programId: pool.randomElement(using: &generator)!, accounts: metas,
                        data: SolanaGolden.randomBytes(Int.random(in: 0...300, using: &generator), using: &generator)))
            }
            // The fee payer cannot also be a program (Solana's sanity rules refuse that message).
            let payer = try PublicKey(bytes: SolanaGolden.randomBytes(32, using: &generator))
            let message = try Message(
                feePayer: payer, instructions: instructions,
                recentBlockhash: Blockhash(bytes: SolanaGolden.randomBytes(32, using: &generator)))
            #expect(message.feePayer == payer)
            #expect(try Message(serialized: message.serialize()) == message)
            let transaction = Transaction(message: message)
            #expect(try Transaction(serialized: transaction.wireBytes) == transaction)
        }
    }

    @Test func shortVecMatchesSolanaAndRefusesAliases() throws {
        let cases: [(UInt16, [UInt8])] = [
            (0, [0]), (1, [1]), (0x7f, [0x7f]), (0x80, [0x80, 0x01]), (0xff, [0xff, 0x01]),
            (0x100, [0x80, 0x02]), (0x3fff, [0xff, 0x7f]), (0x4000, [0x80, 0x80, 0x01]), (0xffff, [0xff, 0xff, 0x03]),
        ]
        for (value, bytes) in cases {
            #expect(ShortVec.encode(value) == bytes)
            #expect(ShortVec.decode(bytes)?.value == value && ShortVec.decode(bytes)?.length == bytes.count)
        }
        #expect(ShortVec.decode([0x80, 0x00]) == nil)  // alias of 0
        #expect(ShortVec.decode([0xff, 0xff, 0x04]) == nil)  // above 65535
        #expect(ShortVec.decode([0x80, 0x80, 0x80, 0x01]) == nil)  // longer than 3 bytes
        #expect(ShortVec.decode([0x80]) == nil)  // cut off
        for value in UInt16.min...UInt16.max {
            let encoded = ShortVec.encode(value)
            guard let decoded = ShortVec.decode(encoded), decoded.value == value, decoded.length == encoded.count else {
                Issue.record("compact-u16 round trip failed for \(value)")
                return
            }
        }
    }
}
