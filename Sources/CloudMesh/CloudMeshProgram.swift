import Solana

/// A deployment of the CloudMesh program: its id, the job addresses under it and its instructions.
public struct CloudMeshProgram: Hashable, Sendable {
    /// The program's `declare_id!`, the default `PROGRAM_ID`.
    public static let defaultProgramId = PublicKey(constant: "2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S")

    /// The seed prefix of job addresses.
    public static let jobSeedPrefix = Array("job".utf8)

    /// The program id of this deployment.
    public let programId: PublicKey

    /// The deployment with program id `programId`.
    public init(programId: PublicKey = Self.defaultProgramId) {
        self.programId = programId
    }

    /// The address and bump of the job `title` of `owner`: the PDA of ["job", owner, title].
    ///
    /// Fails with `ProgramAddressError.seedTooLong` for a title over 32 bytes, which cannot exist on chain.
    public func jobAddress(owner: PublicKey, title: String) throws(ProgramAddressError)
        -> (address: PublicKey, bump: UInt8)
    {
        try PublicKey.findProgramAddress(
            seeds: [Self.jobSeedPrefix, owner.bytes, Array(title.utf8)], programId: programId)
    }

    /// initialize_job: creates the job `title` at its PDA, paid for and owned by `owner`.
    ///
    /// Accounts: job (writable), owner (writable, signer), system program. Fails for a title over 32 bytes.
    public func initializeJob(owner: PublicKey, title: String, codeCID: String, jobType: JobType)
        throws(ProgramAddressError) -> Instruction
    {
        let job = try jobAddress(owner: owner, title: title).address
        var data = BorshWriter()
        data.writeBytes(CloudMeshInstruction.initializeJob.discriminator)
        data.writeString(title)
        data.writeString(codeCID)
        data.writeEnum(jobType)
        return Instruction(
            programId: programId,
            accounts: [
                AccountMeta(publicKey: job, isSigner: false, isWritable: true),
                AccountMeta(publicKey: owner, isSigner: true, isWritable: true),
                AccountMeta(publicKey: .systemProgram, isSigner: false, isWritable: false),
            ],
            data: data.bytes)
    }

    /// complete_job: stores `resultCID` and `cost` (lamports) in `job`, signed by `worker`.
    ///
    /// Accounts: job (writable), worker (signer, read-only).
    public func completeJob(job: PublicKey, worker: PublicKey, resultCID: String, cost: UInt64) -> Instruction {
        var data = BorshWriter()
        data.writeBytes(CloudMeshInstruction.completeJob.discriminator)
        data.writeString(resultCID)
        data.writeInteger(cost)
        return Instruction(
            programId: programId,
            accounts: [
                AccountMeta(publicKey: job, isSigner: false, isWritable: true),
                AccountMeta(publicKey: worker, isSigner: true, isWritable: false),
            ],
            data: data.bytes)
    }

    /// cancel_job: marks `job` cancelled. Accounts: job (writable), owner (signer, read-only).
    public func cancelJob(job: PublicKey, owner: PublicKey) -> Instruction {
        ownerInstruction(.cancelJob, job: job, owner: owner)
    }

    /// mark_payment: marks the cost of `job` paid. Accounts: job (writable), owner (signer, read-only).
    public func markPayment(job: PublicKey, owner: PublicKey) -> Instruction {
        ownerInstruction(.markPayment, job: job, owner: owner)
    }

    /// An instruction without arguments on (job writable, owner signer).
    private func ownerInstruction(_ instruction: CloudMeshInstruction, job: PublicKey, owner: PublicKey)
        -> Instruction
    {
        Instruction(
            programId: programId,
            accounts: [
                AccountMeta(publicKey: job, isSigner: false, isWritable: true),
                AccountMeta(publicKey: owner, isSigner: true, isWritable: false),
            ],
            data: instruction.discriminator)
    }
}
