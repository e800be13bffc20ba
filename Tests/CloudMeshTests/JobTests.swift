import CloudMesh
import GoldenVectorSupport
import Solana
import Testing

@Suite struct JobTests {
    struct Vectors: Decodable {
        struct Case: Decodable {
            let owner: PublicKey
            let title: String
            let codeCID: String
            let resultCID: String
            let startTime: Int64
            let endTime: Int64
            let status: UInt8
            let jobType: UInt8
            let cost: UInt64
            let costPaid: Bool
            let bump: UInt8
            let accountData: String
            let encodedLength: Int
        }
        let discriminator: [UInt8]
        let accountSize: Int
        let cases: [Case]
    }

    /// A pending job whose encoding the malformed-input tests cut and corrupt.
    static let sample = Job(
        owner: try! PublicKey(bytes: [UInt8](repeating: 5, count: 32)), title: "report", codeCID: "QmCode",
        resultCID: "", startTime: 1_730_000_000, endTime: 0, status: .pending, jobType: .manual, cost: 0,
        costPaid: false, bump: 253)

    @Test func decodesAndEncodesLikeTheProgram() throws {
        let vectors = try CloudMeshGolden.load("jobs", as: Vectors.self)
        #expect(vectors.discriminator == Job.discriminator && vectors.accountSize == Job.accountSize)
        #expect(vectors.cases.count > 40)
        for vector in vectors.cases {
            let data = try GoldenVectors.bytes(hex: vector.accountData)
            #expect(data.count == 308)
            let job = try Job(accountData: data)
            let expected = Job(
                owner: vector.owner, title: vector.title, codeCID: vector.codeCID, resultCID: vector.resultCID,
                startTime: vector.startTime, endTime: vector.endTime,
                status: try #require(JobStatus(rawValue: vector.status)),
                jobType: try #require(JobType(rawValue: vector.jobType)), cost: vector.cost, costPaid: vector.costPaid,
                bump: vector.bump)
            #expect(job == expected)
            #expect(try expected.accountData() == data)
            #expect(expected.encode().count == vector.encodedLength)
        }
    }

    @Test func randomJobsRoundTrip() throws {
        var generator = GoldenVectors.SeededGenerator(state: 308)
        for _ in 0..<300 {
            let title = CloudMeshGolden.randomText(maxBytes: 32, using: &generator)
            let code = CloudMeshGolden.randomText(maxBytes: 100, using: &generator)
            let result = CloudMeshGolden.randomText(
                maxBytes: min(100, Job.stringCapacity - title.utf8.count - code.utf8.count), using: &generator)
            let job = Job(
                owner: try PublicKey(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }),
                title: title, codeCID: code, resultCID: result,
                startTime: .random(in: .min ... .max, using: &generator),
                endTime: .random(in: .min ... .max, using: &generator),
                status: JobStatus.allCases.randomElement(using: &generator) ?? .pending,
                jobType: JobType.allCases.randomElement(using: &generator) ?? .cron,
                cost: .random(in: 0 ... .max, using: &generator), costPaid: .random(using: &generator),
                bump: .random(in: 0...255, using: &generator))
            let data = try job.accountData()
            #expect(data.count == Job.accountSize)
            #expect(try Job(accountData: data) == job)
            #expect(job.canStore(resultCID: result))
        }
    }

    @Test func truncatedAccountIsANamedError() throws {
        let encoded = Self.sample.encode()
        #expect(throws: JobDecodingError.missingDiscriminator(length: 5)) {
            try Job(accountData: Array(encoded.prefix(5)))
        }
        #expect(throws: JobDecodingError.malformed(.truncated(field: "owner", offset: 8, needed: 32, available: 12))) {
            try Job(accountData: Array(encoded.prefix(20)))
        }
        // Cut inside the last field.
        #expect(
            throws: JobDecodingError.malformed(
                .truncated(field: "bump", offset: encoded.count - 1, needed: 1, available: 0))
        ) {
            try Job(accountData: Array(encoded.dropLast()))
        }
        // Every possible cut is an error, never a crash.
        for length in 0..<encoded.count {
            #expect(throws: JobDecodingError.self) { try Job(accountData: Array(encoded.prefix(length))) }
        }
    }

    @Test func wrongDiscriminatorIsANamedError() throws {
        var data = try Self.sample.accountData()
        data[0] ^= 1
        #expect(throws: JobDecodingError.wrongDiscriminator(found: Array(data.prefix(8)))) {
            try Job(accountData: data)
        }
        #expect(throws: JobDecodingError.wrongDiscriminator(found: [UInt8](repeating: 0, count: 8))) {
            try Job(accountData: [UInt8](repeating: 0, count: 308))
        }
    }

    @Test func stringLengthBeyondTheDataIsANamedError() throws {
        var data = try Self.sample.accountData()
        // The title length sits right after the owner, at byte 40.
        data.replaceSubrange(40..<44, with: [0xff, 0xff, 0xff, 0x7f])
        #expect(
            throws: JobDecodingError.malformed(
                .stringLengthPastEnd(field: "title", offset: 40, length: 0x7fff_ffff, available: 264))
        ) {
            try Job(accountData: data)
        }
    }

    @Test func invalidUTF8IsANamedError() throws {
        var data = try Self.sample.accountData()
        data[44] = 0xff  // first byte of the title
        #expect(throws: JobDecodingError.malformed(.invalidUTF8(field: "title", offset: 40))) {
            try Job(accountData: data)
        }
    }

    @Test func unknownEnumVariantAndInvalidBoolAreNamedErrors() throws {
        let encoded = Self.sample.encode()
        let statusOffset = encoded.count - 1 - 1 - 8 - 1 - 1  // bump, cost_paid, cost, job_type, then status
        var data = try Self.sample.accountData()
        data[statusOffset] = 3
        #expect(
            throws: JobDecodingError.malformed(.unknownEnumVariant(field: "status", offset: statusOffset, value: 3))
        ) {
            try Job(accountData: data)
        }
        data = try Self.sample.accountData()
        data[statusOffset + 1] = 9
        #expect(
            throws: JobDecodingError.malformed(
                .unknownEnumVariant(field: "job_type", offset: statusOffset + 1, value: 9))
        ) {
            try Job(accountData: data)
        }
        data = try Self.sample.accountData()
        data[encoded.count - 2] = 2
        #expect(
            throws: JobDecodingError.malformed(.invalidBool(field: "cost_paid", offset: encoded.count - 2, value: 2))
        ) {
            try Job(accountData: data)
        }
        #expect(JobDecodingError.malformed(.invalidUTF8(field: "title", offset: 40)).description.contains("title"))
    }

    @Test func capacityCheck() throws {
        var job = Self.sample
        job.title = String(repeating: "t", count: 32)
        job.codeCID = String(repeating: "c", count: 100)
        #expect(job.resultCIDCapacity == 96)
        #expect(job.canStore(resultCID: String(repeating: "r", count: 96)))
        #expect(!job.canStore(resultCID: String(repeating: "r", count: 97)))
        #expect(Job.resultCIDFits("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", title: "a", codeCID: "b"))
        job.resultCID = String(repeating: "r", count: 96)
        #expect(try job.accountData().count == 308)
        job.resultCID += "r"
        #expect(throws: JobEncodingError.exceedsAccountSize(size: 309)) { try job.accountData() }
    }
}
