import Foundation
import Logging
import Solana

/// How a transaction sent by ``SignedInstructions`` ended.
public enum InstructionOutcome: Sendable, Hashable {
    /// Landed without error at `confirmed`.
    case confirmed(signature: Signature, slot: UInt64)
    /// The CloudMesh program (or Anchor under it) refused it; named, never a bare number.
    case refused(AnchorError, logs: [String])
    /// The signer cannot pay the fee or the rent of a new account.
    case insufficientFunds(String)
    /// Failed for another reason (described).
    case failed(String, logs: [String])
    /// Never landed before its blockhash expired.
    case expired(signature: Signature)
}

/// Signs instructions with one keypair (fee payer and signer), sends them and follows them to `confirmed`,
/// classifying the result so a command can tell "refused", "unfunded" and "failed" apart.
public struct SignedInstructions: Sendable {
    /// The node.
    public let client: SolanaRPCClient
    /// The fee payer and only signer.
    public let signer: Keypair
    /// The program whose custom errors are named.
    public let program: CloudMeshProgram
    private let sender: TransactionSender

    /// Creates a sender.
    public init(client: SolanaRPCClient, signer: Keypair, program: CloudMeshProgram, logger: Logger) {
        self.client = client
        self.signer = signer
        self.program = program
        self.sender = TransactionSender(
            client: client, options: .init(commitment: JobCatalog.commitment), logger: logger)
    }

    /// Sends `instructions` in one transaction and waits for the outcome.
    public func send(_ instructions: [Instruction]) async throws -> InstructionOutcome {
        let signer = signer
        let outcome = try await sender.send(sign: { blockhash in
            var transaction = try Transaction(
                feePayer: signer.publicKey, instructions: instructions, recentBlockhash: blockhash)
            try transaction.sign(with: [signer])
            return (transaction.signature ?? .placeholder, try transaction.serialize())
        })
        switch outcome {
        case .confirmed(let signature, let slot):
            return .confirmed(signature: signature, slot: slot)
        case .expired(let signature, _):
            return .expired(signature: signature)
        case .failed(_, let error, let logs, _):
            return Self.classify(error, logs: logs)
        }
    }

    /// Sorts a transaction error into an outcome.
    static func classify(_ error: TransactionError, logs: [String]) -> InstructionOutcome {
        if error.isInsufficientFunds || error == .named("AccountNotFound") {
            return .insufficientFunds("the signer's balance cannot pay the transaction fee (\(error))")
        }
        if case .instruction(_, .custom(let code)) = error {
            // The system program's errors surface through the CPI of initialize_job as Custom(0) and Custom(1).
            if code == 1, let line = logs.first(where: { $0.contains("insufficient lamports") }) {
                return .insufficientFunds("the signer cannot pay the rent of the new job account (\(line))")
            }
            if code == 0, logs.contains(where: { $0.contains("already in use") }) {
                return .failed(
                    "the job account already exists (a job with this title was created before)", logs: logs)
            }
            return .refused(AnchorError.parse(logs: logs) ?? AnchorError(code: code), logs: logs)
        }
        return .failed(error.description, logs: logs)
    }
}
