import CloudMesh
import Foundation
import Logging
import Solana

/// The production ``JobSettler`` and ``BalanceMonitor``: signs `complete_job(result_cid, cost)` with the
/// worker's keypair (plus a compute-unit price and limit when a priority fee is configured), has the journal
/// record it, then sends and confirms it through `TransactionSender`, and maps the outcome for the pipeline.
///
/// Program errors are logged by code, name and message (`JobAlreadyCompleted (6003): Job is already
/// completed`), never as a bare number.
public struct SolanaJobSettler: JobSettler, BalanceMonitor {
    /// Fee settings of complete_job.
    public struct Fees: Sendable, Hashable {
        /// Lamports per signature (Solana's base fee).
        public var lamportsPerSignature: UInt64
        /// Compute-unit price in micro-lamports (`PRIORITY_FEE_MICROLAMPORTS`); 0 sends no compute-budget
        /// instructions.
        public var priorityFeeMicroLamports: UInt64
        /// Compute-unit limit requested when a priority fee is set (complete_job needs far fewer).
        public var computeUnitLimit: UInt32

        /// Creates the settings.
        public init(
            lamportsPerSignature: UInt64 = 5_000, priorityFeeMicroLamports: UInt64,
            computeUnitLimit: UInt32 = 50_000
        ) {
            self.lamportsPerSignature = lamportsPerSignature
            self.priorityFeeMicroLamports = priorityFeeMicroLamports
            self.computeUnitLimit = computeUnitLimit
        }

        /// The fee of one complete_job transaction: one signature plus ceil(price × limit / 10⁶).
        public var feeLamports: UInt64 {
            guard priorityFeeMicroLamports > 0 else { return lamportsPerSignature }
            let product = priorityFeeMicroLamports.multipliedReportingOverflow(
                by: UInt64(computeUnitLimit))
            let micro = product.overflow ? UInt64.max : product.partialValue
            return lamportsPerSignature.addingReportingOverflow(
                micro / 1_000_000 + (micro % 1_000_000 == 0 ? 0 : 1)
            )
            .partialValue
        }
    }

    let sender: TransactionSender
    let program: CloudMeshProgram
    let keypair: Keypair
    let fees: Fees
    let crash: TestCrashInjection
    let logger: Logger

    /// Creates a settler sending through `sender`, signing with `keypair`.
    public init(
        sender: TransactionSender, program: CloudMeshProgram, keypair: Keypair, fees: Fees,
        crash: TestCrashInjection = .disabled, logger: Logger
    ) {
        self.sender = sender
        self.program = program
        self.keypair = keypair
        self.fees = fees
        self.crash = crash
        self.logger = logger
    }

    /// The worker's balance at `confirmed`.
    public func balance() async throws -> UInt64 {
        try await sender.client.getBalance(keypair.publicKey, commitment: .confirmed)
    }

    /// Signs, journals, sends and confirms complete_job; reports insufficient funds before journaling anything
    /// when the balance cannot pay the fee.
    public func settle(
        job: PendingJob, resultCID: String, cost: UInt64,
        journal: @Sendable (SubmittedTransaction) async throws -> Void
    ) async throws -> SettlementOutcome {
        let balance = try await balance()
        guard balance >= fees.feeLamports else {
            logger.warning(
                "the worker cannot pay the complete_job fee",
                metadata: [
                    "balance": "\(balance)", "fee": "\(fees.feeLamports)", "address": "\(keypair.publicKey)",
                ])
            return .insufficientFunds
        }
        let instructions = instructions(job: job.address, resultCID: resultCID, cost: cost)
        let keypair = keypair
        let crash = crash
        let sender = sender
        let outcome = try await withoutActuallyEscaping(journal) { journal in
            try await sender.send(
                sign: { blockhash in
                    var transaction = try Transaction(
                        feePayer: keypair.publicKey, instructions: instructions, recentBlockhash: blockhash)
                    try transaction.sign(with: [keypair])
                    let wire = try transaction.serialize()
                    return (transaction.signatures[0], wire)
                },
                onSubmit: { submission in
                    try await journal(
                        SubmittedTransaction(
                            signature: submission.signature,
                            lastValidBlockHeight: submission.lastValidBlockHeight,
                            wireBytes: submission.wire))
                    crash.reached(.beforeSend)
                })
        }
        return try settlementOutcome(outcome)
    }

    /// Follows a transaction journaled by an earlier run, rebroadcasting the same bytes until it lands or
    /// expires.
    public func resume(submitted: SubmittedTransaction, job: PendingJob) async throws
        -> SettlementOutcome
    {
        let outcome = try await sender.resume(
            TransactionSubmission(
                signature: submitted.signature, lastValidBlockHeight: submitted.lastValidBlockHeight,
                wire: submitted.wireBytes))
        return try settlementOutcome(outcome)
    }

    private func instructions(job: PublicKey, resultCID: String, cost: UInt64) -> [Instruction] {
        var instructions: [Instruction] = []
        if fees.priorityFeeMicroLamports > 0 {
            instructions.append(ComputeBudget.setComputeUnitLimit(fees.computeUnitLimit))
            instructions.append(
                ComputeBudget.setComputeUnitPrice(microLamports: fees.priorityFeeMicroLamports))
        }
        instructions.append(
            program.completeJob(job: job, worker: keypair.publicKey, resultCID: resultCID, cost: cost))
        return instructions
    }

    /// Maps a send outcome to the pipeline's terms; failures the pipeline has no outcome for are thrown.
    private func settlementOutcome(_ outcome: SendOutcome) throws -> SettlementOutcome {
        switch outcome {
        case .confirmed(let signature, let slot):
            crash.reached(.afterSend)
            return .settled(signature: signature, slot: slot)
        case .expired(let signature, let height):
            logger.notice(
                "complete_job expired without landing",
                metadata: ["signature": "\(signature)", "last_valid_block_height": "\(height)"])
            return .expired
        case .failed(let signature, let error, let logs, let slot):
            return try failedOutcome(signature: signature, error: error, logs: logs, landed: slot != nil)
        }
    }

    private func failedOutcome(
        signature: Signature, error: TransactionError, logs: [String], landed: Bool
    ) throws
        -> SettlementOutcome
    {
        let context: Logger.Metadata = [
            "signature": "\(signature)", "stage": "\(landed ? "landed" : "preflight")",
        ]
        if let code = error.customErrorCode {
            let programError =
                AnchorError.parse(logs: logs).flatMap { $0.code == code ? $0 : nil }
                ?? AnchorError(code: code)
            var metadata = context
            metadata["program_error"] = "\(programError)"
            switch CloudMeshProgramError(code: code) {
            case .jobAlreadyCompleted:
                logger.info(
                    "complete_job refused: another worker completed the job first", metadata: metadata)
                return .lostRace
            case .jobCancelled:
                logger.info("complete_job refused: the job was cancelled", metadata: metadata)
                return .cancelled
            case .accountDidNotSerialize:
                logger.error(
                    "complete_job refused: the result CID does not fit the job account", metadata: metadata)
                return .resultDoesNotFit
            default:
                logger.error("complete_job failed with a program error", metadata: metadata)
                throw StageError.permanent("complete_job failed: \(programError)")
            }
        }
        if error.isInsufficientFunds || error == .named("AccountNotFound")
            || logs.contains(where: { $0.localizedCaseInsensitiveContains("insufficient lamports") })
        {
            logger.warning("complete_job refused: the worker cannot pay the fee", metadata: context)
            return .insufficientFunds
        }
        logger.warning(
            "complete_job failed; will retry", metadata: context.merging(["error": "\(error)"]) { $1 })
        throw StageError.transient("complete_job failed: \(error)")
    }
}
