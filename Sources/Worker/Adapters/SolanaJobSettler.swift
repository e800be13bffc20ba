import CloudMesh
import Foundation
import Logging
import Solana

/// The production ``JobSettler`` and ``BalanceMonitor``: signs one transaction with a
/// `complete_job(result_cid, cost)` instruction per job with the worker's keypair (plus a compute-unit price
/// and limit when a priority fee is configured), has the journal record it, then sends and confirms it
/// through `TransactionSender`, and maps the outcome to each job.
///
/// Program errors are logged by code, name and message (`JobAlreadyCompleted (6003): Job is already
/// completed`), never as a bare number.
package struct SolanaJobSettler: JobSettler, BalanceMonitor {
    /// Fee settings of complete_job.
    package struct Fees: Sendable, Hashable {
        /// Lamports per signature (Solana's base fee).
        package var lamportsPerSignature: UInt64
        /// Compute-unit price in micro-lamports (`PRIORITY_FEE_MICROLAMPORTS`); 0 sends no compute-budget
        /// instructions.
        package var priorityFeeMicroLamports: UInt64
        /// Compute-unit limit requested per complete_job instruction when a priority fee is set (complete_job
        /// needs far fewer).
        package var computeUnitLimit: UInt32

        /// Creates the settings.
        package init(
            lamportsPerSignature: UInt64 = 5_000, priorityFeeMicroLamports: UInt64,
            computeUnitLimit: UInt32 = 50_000
        ) {
            self.lamportsPerSignature = lamportsPerSignature
            self.priorityFeeMicroLamports = priorityFeeMicroLamports
            self.computeUnitLimit = computeUnitLimit
        }

        /// The fee of a transaction settling one job: the least balance that lets settlement go on.
        package var feeLamports: UInt64 { feeLamports(jobs: 1) }

        /// The compute-unit limit of a transaction settling `jobs` jobs (at most Solana's 1,400,000).
        package func computeUnitLimit(jobs: Int) -> UInt32 {
            UInt32(min(UInt64(computeUnitLimit) * UInt64(max(1, jobs)), 1_400_000))
        }

        /// The fee of a transaction settling `jobs` jobs: one signature plus ceil(price × limit / 10⁶).
        package func feeLamports(jobs: Int) -> UInt64 {
            guard priorityFeeMicroLamports > 0 else { return lamportsPerSignature }
            let product = priorityFeeMicroLamports.multipliedReportingOverflow(
                by: UInt64(computeUnitLimit(jobs: jobs)))
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
    let logger: Logger

    /// Creates a settler sending through `sender`, signing with `keypair`.
    package init(
        sender: TransactionSender, program: CloudMeshProgram, keypair: Keypair, fees: Fees, logger: Logger
    ) {
        self.sender = sender
        self.program = program
        self.keypair = keypair
        self.fees = fees
        self.logger = logger
    }

    /// The worker's balance at `confirmed`.
    package func balance() async throws -> UInt64 {
        try await sender.client.getBalance(keypair.publicKey, commitment: .confirmed)
    }

    /// How many of the leading `requests` fit in one transaction of at most 1,232 bytes (Solana's packet),
    /// with the compute-budget instructions when a priority fee is set; a job named twice ends the batch.
    package func batchCapacity(for requests: [SettlementRequest]) -> Int {
        guard let blockhash = Self.sizingBlockhash else { return requests.isEmpty ? 0 : 1 }
        var seen: Set<PublicKey> = []
        let distinct = requests.prefix { seen.insert($0.job.address).inserted }.count
        guard distinct > 0 else { return 0 }
        func fits(_ count: Int) -> Bool {
            guard
                let transaction = try? Transaction(
                    feePayer: keypair.publicKey, instructions: instructions(for: Array(requests.prefix(count))),
                    recentBlockhash: blockhash)
            else { return false }
            return transaction.wireBytes.count <= Transaction.maxWireSize
        }
        // A transaction only grows with each instruction: usually all fit; otherwise search for the most that do.
        if fits(distinct) { return distinct }
        var (fitting, tooMany) = (0, distinct)
        while tooMany - fitting > 1 {
            let middle = (fitting + tooMany) / 2
            if fits(middle) { fitting = middle } else { tooMany = middle }
        }
        return max(1, fitting)
    }

    /// Signs one transaction with a complete_job per request, journals it, sends and confirms it; reports
    /// insufficient funds for every request before journaling anything when the balance cannot pay the fee.
    package func settle(
        _ batch: [SettlementRequest], journal: @Sendable (SubmittedTransaction) async throws -> Void
    ) async throws -> [SettlementOutcome] {
        guard !batch.isEmpty else { return [] }
        let fee = fees.feeLamports(jobs: batch.count)
        let balance = try await balance()
        guard balance >= fee else {
            logger.warning(
                "the worker cannot pay the complete_job fee",
                metadata: [
                    "balance": "\(balance)", "fee": "\(fee)", "jobs": "\(batch.count)",
                    "address": "\(keypair.publicKey)",
                ])
            return Array(repeating: .insufficientFunds, count: batch.count)
        }
        let instructions = instructions(for: batch)
        let keypair = keypair
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
                })
        }
        let jobs = batch.map(\.job.address)
        return try jobs.map { job in try settlementOutcome(outcome, job: job, instructions: instructions) }
    }

    /// Follows a transaction journaled by an earlier run, rebroadcasting the same bytes until it lands or
    /// expires.
    package func resume(submitted: SubmittedTransaction, job: PendingJob) async throws
        -> SettlementOutcome
    {
        let outcome = try await sender.resume(
            TransactionSubmission(
                signature: submitted.signature, lastValidBlockHeight: submitted.lastValidBlockHeight,
                wire: submitted.wireBytes))
        // The journaled bytes say which instruction is which job's (a batch journaled before a crash).
        let instructions =
            (try? Transaction(serialized: submitted.wireBytes))?.message.decompiledInstructions ?? []
        return try settlementOutcome(outcome, job: job.address, instructions: instructions)
    }

    /// A blockhash for sizing transactions (every blockhash has 32 bytes).
    private static let sizingBlockhash = try? Blockhash(bytes: [UInt8](repeating: 0, count: 32))

    private func instructions(for batch: [SettlementRequest]) -> [Instruction] {
        var instructions: [Instruction] = []
        if fees.priorityFeeMicroLamports > 0 {
            instructions.append(ComputeBudget.setComputeUnitLimit(fees.computeUnitLimit(jobs: batch.count)))
            instructions.append(
                ComputeBudget.setComputeUnitPrice(microLamports: fees.priorityFeeMicroLamports))
        }
        for request in batch {
            instructions.append(
                program.completeJob(
                    job: request.job.address, worker: keypair.publicKey, resultCID: request.resultCID,
                    cost: request.cost))
        }
        return instructions
    }

    /// Maps a send outcome to `job`'s outcome; failures the pipeline has no outcome for are thrown.
    private func settlementOutcome(_ outcome: SendOutcome, job: PublicKey, instructions: [Instruction]) throws
        -> SettlementOutcome
    {
        switch outcome {
        case .confirmed(let signature, let slot):
            return .settled(signature: signature, slot: slot)
        case .expired(let signature, let height):
            logger.notice(
                "complete_job expired without landing",
                metadata: ["signature": "\(signature)", "last_valid_block_height": "\(height)", "job": "\(job)"])
            return .expired
        case .failed(let signature, let error, let logs, let slot):
            let context: Logger.Metadata = [
                "signature": "\(signature)", "stage": "\(slot != nil ? "landed" : "preflight")", "job": "\(job)",
            ]
            if case .instruction(let index, let instructionError) = error {
                let culprit = culprit(at: index, in: instructions)
                guard culprit == nil || culprit == job else {
                    // The transaction is atomic: nothing of it landed, and this job's instruction was not at fault.
                    let reason =
                        "instruction \(index) (job \(culprit.map { "\($0)" } ?? "?")) failed: \(instructionError)"
                    logger.info(
                        "complete_job batch failed on another job's instruction; will send again",
                        metadata: context.merging(["reason": "\(reason)"]) { $1 })
                    return .notLanded(reason: reason)
                }
            }
            return failedOutcome(error: error, logs: logs, context: context)
        }
    }

    /// The job whose complete_job is the instruction at `index`, nil when it is no complete_job of ours.
    private func culprit(at index: Int, in instructions: [Instruction]) -> PublicKey? {
        guard instructions.indices.contains(index), instructions[index].programId == program.programId else {
            return nil
        }
        return instructions[index].accounts.first?.publicKey
    }

    private func failedOutcome(error: TransactionError, logs: [String], context: Logger.Metadata)
        -> SettlementOutcome
    {
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
                return .refused(reason: "complete_job failed: \(programError)")
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
        return .retryLater(reason: "complete_job failed: \(error)")
    }
}
