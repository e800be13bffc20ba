import CloudMesh
import Foundation
import Solana
import Testing

@Suite struct CloudMeshEventTests {
    struct Vectors: Decodable {
        struct Fields: Decodable {
            let jobKey: PublicKey
            let owner: PublicKey?
            let title: String?
            let resultCID: String?
            let endTime: Int64?
            let cost: UInt64?
            let cancelledAt: Int64?
            let amount: UInt64?
        }
        struct Case: Decodable {
            let event: String
            let fields: Fields
            let logLine: String
        }
        let cases: [Case]
    }

    /// The event the golden fields describe.
    static func expected(_ vector: Vectors.Case) throws -> CloudMeshEvent {
        let fields = vector.fields
        switch vector.event {
        case "JobCreated":
            return .jobCreated(
                .init(jobKey: fields.jobKey, owner: try #require(fields.owner), title: try #require(fields.title)))
        case "JobCompleted":
            return .jobCompleted(
                .init(
                    jobKey: fields.jobKey, resultCID: try #require(fields.resultCID),
                    endTime: try #require(fields.endTime),
                    cost: try #require(fields.cost)))
        case "JobCancelled":
            return .jobCancelled(.init(jobKey: fields.jobKey, cancelledAt: try #require(fields.cancelledAt)))
        default:
            return .paymentMarked(.init(jobKey: fields.jobKey, amount: try #require(fields.amount)))
        }
    }

    @Test func decodesAndEncodesProgramDataLines() throws {
        let vectors = try CloudMeshGolden.load("events", as: Vectors.self)
        #expect(Set(vectors.cases.map(\.event)).count == 4)
        for vector in vectors.cases {
            let expected = try Self.expected(vector)
            #expect(try CloudMeshEvent(logLine: vector.logLine) == expected)
            #expect(expected.logLine == vector.logLine)
        }
        let logs = ["Program 2pbd invoke [1]", "Program log: Instruction: CompleteJob"] + vectors.cases.map(\.logLine)
        #expect(try CloudMeshEvent.events(inLogs: logs) == vectors.cases.map(Self.expected))
    }

    @Test func ignoresOtherLinesAndOtherProgramsEvents() throws {
        #expect(try CloudMeshEvent(logLine: "Program log: hello") == nil)
        #expect(try CloudMeshEvent(logLine: "Program data: not*base64") == nil)
        let foreign = "Program data: " + Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).base64EncodedString()
        #expect(try CloudMeshEvent(logLine: foreign) == nil)
    }

    @Test func malformedEventIsANamedError() throws {
        let event = CloudMeshEvent.jobCompleted(
            .init(jobKey: .systemProgram, resultCID: "Qm", endTime: 1, cost: 2))
        let cut = Array(event.encode().dropLast(3))
        #expect(throws: BorshError.truncated(field: "cost", offset: 8 + 32 + 6 + 8, needed: 8, available: 5)) {
            try CloudMeshEvent(eventData: cut)
        }
    }
}
