import CloudMesh
import Foundation
import GoldenVectorSupport
import Solana
import Testing

@Suite struct CloudMeshProgramTests {
    struct PDAVectors: Decodable {
        struct Case: Decodable {
            let owner: PublicKey
            let title: String
            let programId: PublicKey
            let address: PublicKey
            let bump: UInt8
        }
        struct Refused: Decodable {
            let owner: PublicKey
            let title: String
            let programId: PublicKey
            let titleBytes: Int
        }
        let cases: [Case]
        let refused: [Refused]
    }

    struct TransactionVectors: Decodable {
        struct Arguments: Decodable {
            let title: String?
            let codeCID: String?
            let jobType: UInt8?
            let resultCID: String?
            let cost: UInt64?
        }
        struct Meta: Decodable {
            let publicKey: PublicKey
            let isSigner: Bool
            let isWritable: Bool
        }
        struct ProgramInstruction: Decodable {
            let programId: PublicKey
            let data: String
            let accounts: [Meta]
        }
        struct Case: Decodable {
            let instruction: String
            let arguments: Arguments
            let computeUnitLimit: UInt32?
            let computeUnitPriceMicroLamports: UInt64?
            let payerSeed: String
            let programInstruction: ProgramInstruction
            let message: String
            let transactionBase64: String
            let signature: String
        }
        let owner: PublicKey
        let worker: PublicKey
        let job: PublicKey
        let title: String
        let recentBlockhash: String
        let programId: PublicKey
        let cases: [Case]
    }

    @Test func defaultProgramId() {
        #expect(CloudMeshProgram.defaultProgramId.base58 == "2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S")
        #expect(CloudMeshProgram().programId == CloudMeshProgram.defaultProgramId)
    }

    @Test func jobAddressesMatchSolders() throws {
        let vectors = try CloudMeshGolden.load("job_pdas", as: PDAVectors.self)
        #expect(
            vectors.cases.contains { $0.title.utf8.count == 1 } && vectors.cases.contains { $0.title.utf8.count == 32 })
        #expect(vectors.cases.contains { $0.title.unicodeScalars.contains { !$0.isASCII } })
        for vector in vectors.cases {
            let found = try CloudMeshProgram(programId: vector.programId).jobAddress(
                owner: vector.owner, title: vector.title)
            #expect(found.address == vector.address && found.bump == vector.bump, "\(vector.title)")
        }
    }

    @Test func titlesOver32BytesAreRefused() throws {
        let vectors = try CloudMeshGolden.load("job_pdas", as: PDAVectors.self)
        #expect(!vectors.refused.isEmpty)
        for vector in vectors.refused {
            let program = CloudMeshProgram(programId: vector.programId)
            let error = ProgramAddressError.seedTooLong(index: 2, length: vector.titleBytes)
            #expect(throws: error) { try program.jobAddress(owner: vector.owner, title: vector.title) }
            #expect(throws: error) {
                try program.initializeJob(owner: vector.owner, title: vector.title, codeCID: "Qm", jobType: .api)
            }
        }
    }

    @Test func signedTransactionsMatchSolders() throws {
        let vectors = try CloudMeshGolden.load("transactions", as: TransactionVectors.self)
        #expect(vectors.cases.count == 12)
        #expect(Set(vectors.cases.map(\.instruction)) == Set(CloudMeshInstruction.allCases.map(\.rawValue)))
        let program = CloudMeshProgram(programId: vectors.programId)
        #expect(try program.jobAddress(owner: vectors.owner, title: vectors.title).address == vectors.job)
        for vector in vectors.cases {
            let arguments = vector.arguments
            let instruction: Instruction
            switch try #require(CloudMeshInstruction(rawValue: vector.instruction)) {
            case .initializeJob:
                instruction = try program.initializeJob(
                    owner: vectors.owner, title: try #require(arguments.title),
                    codeCID: try #require(arguments.codeCID),
                    jobType: try #require(arguments.jobType.flatMap(JobType.init(rawValue:))))
            case .completeJob:
                instruction = program.completeJob(
                    job: vectors.job, worker: vectors.worker, resultCID: try #require(arguments.resultCID),
                    cost: try #require(arguments.cost))
            case .cancelJob:
                instruction = program.cancelJob(job: vectors.job, owner: vectors.owner)
            case .markPayment:
                instruction = program.markPayment(job: vectors.job, owner: vectors.owner)
            }
            let golden = vector.programInstruction
            #expect(instruction.programId == golden.programId)
            #expect(instruction.data == (try GoldenVectors.bytes(hex: golden.data)), "\(vector.instruction)")
            #expect(
                instruction.accounts
                    == golden.accounts.map {
                        AccountMeta(publicKey: $0.publicKey, isSigner: $0.isSigner, isWritable: $0.isWritable)
                    })

            var instructions: [Instruction] = []
            if let limit = vector.computeUnitLimit { instructions.append(ComputeBudget.setComputeUnitLimit(limit)) }
            if let price = vector.computeUnitPriceMicroLamports {
                instructions.append(ComputeBudget.setComputeUnitPrice(microLamports: price))
            }
            instructions.append(instruction)
            let payer = try Keypair(seed: GoldenVectors.bytes(hex: vector.payerSeed))
            var transaction = try Transaction(
                feePayer: payer.publicKey, instructions: instructions,
                recentBlockhash: Blockhash(base58: vectors.recentBlockhash))
            #expect(transaction.message.serialize() == (try GoldenVectors.bytes(hex: vector.message)))
            try transaction.sign(with: [payer])
            #expect(transaction.verifySignatures())
            #if os(Linux)
                #expect(try transaction.base64EncodedString() == vector.transactionBase64, "\(vector.instruction)")
                #expect(transaction.signature?.base58 == vector.signature)
            #endif
            let decoded = try Transaction(
                serialized: Array(try #require(Data(base64Encoded: vector.transactionBase64))))
            #expect(decoded.message == transaction.message && decoded.verifySignatures())
        }
    }

    @Test func instructionArgumentsAreBorsh() throws {
        let owner = try PublicKey(bytes: [UInt8](repeating: 1, count: 32))
        let program = CloudMeshProgram()
        let initialize = try program.initializeJob(owner: owner, title: "ab", codeCID: "Qm", jobType: .api)
        #expect(
            initialize.data == CloudMeshInstruction.initializeJob.discriminator + [
                2, 0, 0, 0, 97, 98, 2, 0, 0, 0, 81, 109, 1,
            ])
        #expect(initialize.accounts.map(\.isSigner) == [false, true, false])
        #expect(initialize.accounts.map(\.isWritable) == [true, true, false])
        #expect(initialize.accounts[2].publicKey == .systemProgram)
        let job = initialize.accounts[0].publicKey
        let complete = program.completeJob(job: job, worker: owner, resultCID: "r", cost: 258)
        #expect(
            complete.data == CloudMeshInstruction.completeJob.discriminator + [1, 0, 0, 0, 114, 2, 1, 0, 0, 0, 0, 0, 0])
        #expect(
            complete.accounts == [
                AccountMeta(publicKey: job, isSigner: false, isWritable: true),
                AccountMeta(publicKey: owner, isSigner: true, isWritable: false),
            ])
        #expect(program.cancelJob(job: job, owner: owner).data == CloudMeshInstruction.cancelJob.discriminator)
        #expect(program.markPayment(job: job, owner: owner).data == CloudMeshInstruction.markPayment.discriminator)
    }
}
