import Solana

/// A CloudMesh Job account, field for field as the program stores it.
public struct Job: Hashable, Sendable {
    /// The account type tag, sha256("account:Job")[0..8] = [75,124,80,203,161,180,202,80].
    public static let discriminator = AnchorDiscriminator.account("Job")
    /// The size of the account's data: 8 discriminator bytes + 300 bytes of space.
    public static let accountSize = 308
    /// The most bytes title, code CID and result CID may have together (300 - 32 - 3·4 - 28).
    public static let stringCapacity = 228

    /// The wallet that created the job.
    public var owner: PublicKey
    /// The job's title (a PDA seed, so at most 32 bytes on chain).
    public var title: String
    /// The IPFS CID of the Python source.
    public var codeCID: String
    /// The IPFS CID of the result; empty until completed.
    public var resultCID: String
    /// Unix seconds when the job was created.
    public var startTime: Int64
    /// Unix seconds when it was completed or cancelled; 0 before.
    public var endTime: Int64
    /// Pending, completed or cancelled.
    public var status: JobStatus
    /// How it was submitted.
    public var jobType: JobType
    /// Lamports charged, set by complete_job.
    public var cost: UInt64
    /// Whether the owner marked the cost as paid.
    public var costPaid: Bool
    /// The bump of the job's PDA.
    public var bump: UInt8

    /// Creates a job from its fields.
    public init(
        owner: PublicKey, title: String, codeCID: String, resultCID: String, startTime: Int64, endTime: Int64,
        status: JobStatus, jobType: JobType, cost: UInt64, costPaid: Bool, bump: UInt8
    ) {
        self.owner = owner
        self.title = title
        self.codeCID = codeCID
        self.resultCID = resultCID
        self.startTime = startTime
        self.endTime = endTime
        self.status = status
        self.jobType = jobType
        self.cost = cost
        self.costPaid = costPaid
        self.bump = bump
    }

    /// Decodes account data: checks the discriminator, then reads every field with bounds checks.
    ///
    /// Bytes after the fields (the zero padding of the 308-byte account) are ignored, as Anchor ignores them.
    public init(accountData data: [UInt8]) throws(JobDecodingError) {
        guard data.count >= 8 else { throw .missingDiscriminator(length: data.count) }
        guard data.starts(with: Self.discriminator) else { throw .wrongDiscriminator(found: Array(data.prefix(8))) }
        var reader = BorshReader(data, offset: 8)
        do {
            self = try Self.readFields(&reader)
        } catch {
            throw .malformed(error)
        }
    }

    /// Reads the fields that follow the discriminator.
    private static func readFields(_ reader: inout BorshReader) throws(BorshError) -> Job {
        Job(
            owner: try reader.readPublicKey(field: "owner"),
            title: try reader.readString(field: "title"),
            codeCID: try reader.readString(field: "code_cid"),
            resultCID: try reader.readString(field: "result_cid"),
            startTime: try reader.readI64(field: "start_time"),
            endTime: try reader.readI64(field: "end_time"),
            status: try reader.readEnum(field: "status"),
            jobType: try reader.readEnum(field: "job_type"),
            cost: try reader.readU64(field: "cost"),
            costPaid: try reader.readBool(field: "cost_paid"),
            bump: try reader.readU8(field: "bump"))
    }

    /// The discriminator and the Borsh fields, without the account's zero padding.
    public func encode() -> [UInt8] {
        var writer = BorshWriter()
        writer.writeBytes(Self.discriminator)
        writer.writePublicKey(owner)
        writer.writeString(title)
        writer.writeString(codeCID)
        writer.writeString(resultCID)
        writer.writeInteger(startTime)
        writer.writeInteger(endTime)
        writer.writeEnum(status)
        writer.writeEnum(jobType)
        writer.writeInteger(cost)
        writer.writeBool(costPaid)
        writer.writeInteger(bump)
        return writer.bytes
    }

    /// The 308 bytes of account data the program would store: `encode()` padded with zeros.
    public func accountData() throws(JobEncodingError) -> [UInt8] {
        let encoded = encode()
        guard encoded.count <= Self.accountSize else { throw .exceedsAccountSize(size: encoded.count) }
        return encoded + [UInt8](repeating: 0, count: Self.accountSize - encoded.count)
    }

    /// Whether a job with this title and code CID can store `resultCID` (the capacity check of complete_job:
    /// |title| + |code_cid| + |result_cid| ≤ 228 bytes, else the program fails with 3004 AccountDidNotSerialize).
    public static func resultCIDFits(_ resultCID: String, title: String, codeCID: String) -> Bool {
        title.utf8.count + codeCID.utf8.count + resultCID.utf8.count <= stringCapacity
    }

    /// Whether this job can store `resultCID` when completed.
    public func canStore(resultCID: String) -> Bool {
        Self.resultCIDFits(resultCID, title: title, codeCID: codeCID)
    }

    /// The most bytes a result CID of this job may have.
    public var resultCIDCapacity: Int { max(0, Self.stringCapacity - title.utf8.count - codeCID.utf8.count) }
}
