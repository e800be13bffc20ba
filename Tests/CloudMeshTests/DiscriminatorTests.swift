import CloudMesh
import Testing

@Suite struct DiscriminatorTests {
    struct Vectors: Decodable {
        let account: [String: [UInt8]]
        let instruction: [String: [UInt8]]
        let event: [String: [UInt8]]
    }

    @Test func matchTheProgramTable() throws {
        // The table of docs/cloudmesh-program.md.
        #expect(Job.discriminator == [75, 124, 80, 203, 161, 180, 202, 80])
        #expect(CloudMeshInstruction.initializeJob.discriminator == [137, 22, 138, 41, 76, 208, 114, 50])
        #expect(CloudMeshInstruction.completeJob.discriminator == [221, 216, 225, 72, 101, 250, 3, 11])
        #expect(CloudMeshInstruction.cancelJob.discriminator == [126, 241, 155, 241, 50, 236, 83, 118])
        #expect(CloudMeshInstruction.markPayment.discriminator == [164, 94, 195, 185, 80, 44, 233, 243])
        #expect(CloudMeshEvent.JobCreated.discriminator == [48, 110, 162, 177, 67, 74, 159, 131])
        #expect(CloudMeshEvent.JobCompleted.discriminator == [176, 207, 246, 115, 95, 179, 9, 132])
        #expect(CloudMeshEvent.JobCancelled.discriminator == [203, 84, 143, 130, 48, 134, 74, 191])
        #expect(CloudMeshEvent.PaymentMarked.discriminator == [70, 8, 172, 75, 106, 170, 251, 234])
    }

    @Test func matchHashlib() throws {
        let vectors = try CloudMeshGolden.load("discriminators", as: Vectors.self)
        #expect(vectors.account["Job"] == Job.discriminator)
        for instruction in CloudMeshInstruction.allCases {
            #expect(vectors.instruction[instruction.rawValue] == instruction.discriminator)
        }
        for (name, bytes) in vectors.event {
            #expect(AnchorDiscriminator.event(name) == bytes)
        }
        #expect(vectors.event.count == 4 && vectors.instruction.count == 4)
    }
}
