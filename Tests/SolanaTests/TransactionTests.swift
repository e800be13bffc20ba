import Foundation
import Solana
import Testing

@Suite struct TransactionTests {
    let payer = Keypair.generate()
    let cosigner = Keypair.generate()
    let program = Keypair.generate().publicKey
    let blockhash = try! Blockhash(bytes: [UInt8](repeating: 3, count: 32))

    func twoSignerTransaction(data: [UInt8] = [1]) throws -> Transaction {
        try Transaction(
            feePayer: payer.publicKey,
            instructions: [
                Instruction(
                    programId: program,
                    accounts: [AccountMeta(publicKey: cosigner.publicKey, isSigner: true, isWritable: false)],
                    data: data)
            ], recentBlockhash: blockhash)
    }

    @Test func signingNeedsEveryRequiredSigner() throws {
        var transaction = try twoSignerTransaction()
        #expect(throws: TransactionBuildError.missingSigner(cosigner.publicKey)) {
            try transaction.sign(with: [payer])
        }
        #expect(transaction.signatures == [.placeholder, .placeholder])
        #expect(!transaction.verifySignatures())
        let stranger = Keypair.generate()
        #expect(throws: TransactionBuildError.unexpectedSigner(stranger.publicKey)) {
            try transaction.sign(with: [payer, cosigner, stranger])
        }
        try transaction.sign(with: [cosigner, payer])
        #expect(transaction.verifySignatures())
        #expect(transaction.signature == transaction.signatures[0])
        #expect(transaction.message.signerKeys == [payer.publicKey, cosigner.publicKey])
    }

    @Test func partialSignaturesCombine() throws {
        var transaction = try twoSignerTransaction()
        try transaction.partialSign(with: [payer])
        #expect(!transaction.verifySignatures())
        try transaction.partialSign(with: [cosigner])
        #expect(transaction.verifySignatures())
    }

    @Test func tamperingBreaksVerification() throws {
        var transaction = try twoSignerTransaction()
        try transaction.sign(with: [payer, cosigner])
        var bytes = try transaction.serialize()
        bytes[bytes.count - 1] ^= 0xff  // the last instruction data byte
        let tampered = try Transaction(serialized: bytes)
        #expect(!tampered.verifySignatures())
    }

    @Test func base64IsTheWireForm() throws {
        var transaction = try twoSignerTransaction()
        try transaction.sign(with: [payer, cosigner])
        let base64 = try transaction.base64EncodedString()
        #expect(Data(base64Encoded: base64).map(Array.init) == transaction.wireBytes)
    }

    @Test func oversizedTransactionsAreRefused() throws {
        var fits = try twoSignerTransaction(data: [])
        let room = Transaction.maxWireSize - fits.wireBytes.count
        // Data past 127 bytes takes a second length byte.
        fits = try twoSignerTransaction(data: [UInt8](repeating: 0, count: room - 1))
        #expect(try fits.serialize().count == Transaction.maxWireSize)
        let tooLarge = try twoSignerTransaction(data: [UInt8](repeating: 0, count: room))
        #expect(throws: TransactionBuildError.tooLarge(size: Transaction.maxWireSize + 1)) { try tooLarge.serialize() }
    }

    @Test func tooManyAccountsAreRefused() throws {
        let metas = (0..<300).map { index in
            AccountMeta(
                publicKey: try! PublicKey(
                    bytes: [UInt8](repeating: 0, count: 30) + [UInt8(index >> 8), UInt8(index & 0xff)]),
                isSigner: false, isWritable: false)
        }
        #expect(throws: TransactionBuildError.tooManyAccounts(count: 302)) {
            try Message(
                feePayer: payer.publicKey, instructions: [Instruction(programId: program, accounts: metas, data: [])],
                recentBlockhash: blockhash)
        }
    }

    @Test func malformedWireBytesAreNamedErrors() throws {
        var transaction = try twoSignerTransaction()
        try transaction.sign(with: [payer, cosigner])
        let bytes = transaction.wireBytes
        for cut in [0, 1, 64, 130, 131, 140, bytes.count - 1] {
            #expect {
                try Transaction(serialized: Array(bytes.prefix(cut)))
            } throws: { error in
                if case .truncated = error as? WireFormatError { return true }
                return false
            }
        }
        #expect(throws: WireFormatError.trailingBytes(count: 2)) { try Transaction(serialized: bytes + [0, 0]) }
        // One signature for a message that requires two.
        let oneSignature = [1] + bytes[1..<65] + bytes[129...]
        #expect(throws: WireFormatError.signatureCountMismatch(signatures: 1, required: 2)) {
            try Transaction(serialized: Array(oneSignature))
        }
        var message = transaction.message.serialize()
        message[0] = 0x80  // a v0 message prefix
        #expect(throws: WireFormatError.unsupportedVersion(0)) { try Message(serialized: message) }
        var badIndex = transaction.message
        badIndex.instructions[0].accounts = [9]
        #expect {
            try Message(serialized: badIndex.serialize())
        } throws: { error in
            if case .invalidMessage = error as? WireFormatError { return true }
            return false
        }
        #expect(throws: WireFormatError.invalidCompactU16(offset: 0)) { try Transaction(serialized: [0x80, 0x00]) }
    }

    @Test func computeBudgetInstructions() throws {
        let limit = ComputeBudget.setComputeUnitLimit(200_000)
        #expect(limit.programId.base58 == "ComputeBudget111111111111111111111111111111")
        #expect(limit.data == [2, 0x40, 0x0d, 0x03, 0x00] && limit.accounts.isEmpty)
        let price = ComputeBudget.setComputeUnitPrice(microLamports: 5)
        #expect(price.data == [3, 5, 0, 0, 0, 0, 0, 0, 0] && price.accounts.isEmpty)
        #expect(ComputeBudget.setComputeUnitPrice(microLamports: .max).data == [3] + [UInt8](repeating: 0xff, count: 8))
    }
}
