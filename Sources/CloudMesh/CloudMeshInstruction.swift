/// The four instructions of the CloudMesh program, named as Anchor names them.
public enum CloudMeshInstruction: String, Sendable, CaseIterable {
    /// Creates a Job account (title, code CID, job type).
    case initializeJob = "initialize_job"
    /// Stores the result CID and cost and marks the job completed.
    case completeJob = "complete_job"
    /// Marks the job cancelled (owner only).
    case cancelJob = "cancel_job"
    /// Marks the job's cost as paid (owner only).
    case markPayment = "mark_payment"

    /// The first 8 bytes of the instruction data: sha256("global:<name>")[0..8].
    public var discriminator: [UInt8] { AnchorDiscriminator.instruction(rawValue) }
}
