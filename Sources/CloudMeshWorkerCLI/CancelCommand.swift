import ArgumentParser
import CloudMesh
import Solana
import Worker

/// `cancel`: cancels a pending job of the keypair's.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a pending job (signed by the keypair, which must be the job's owner).",
        discussion: """
            Sends cancel_job signed by the keypair and waits until it is confirmed. The program refuses a job \
            that is completed (InvalidStatusTransition) or already cancelled (JobAlreadyCancelled), and \
            anyone but the owner (Unauthorized): such refusals exit with status 6 and name the error; the \
            preflight simulation catches them before any fee is paid. An unknown job exits 3.

            Example:
              cloudmesh-worker cancel 7Xf…Qz
            """)

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The job's address (base58).")
    var job: String

    func run() async throws {
        let context = try CommandContext.load(options)
        let address = try CommandContext.jobAddress(job)
        let keypair = try context.keypair()
        let catalog = try context.catalog()
        let found = try await context.existingJob(address, catalog: catalog)
        let sender = SignedInstructions(
            client: catalog.client, signer: keypair, program: context.program, logger: context.logger)
        let outcome = try await sender.send([
            context.program.cancelJob(job: address, owner: keypair.publicKey)
        ])
        if let error = CLIError.transaction(
            outcome, action: "cancel_job", signer: keypair.publicKey,
            fix: { error in
                switch error.known {
                case .unauthorized:
                    "only the owner \(found.owner) can cancel it; your keypair is \(keypair.publicKey)"
                case .invalidStatusTransition: "the job is \(found.status) and can no longer be cancelled"
                case .jobAlreadyCancelled: "nothing to do"
                default: nil
                }
            })
        {
            throw error
        }
        if case .confirmed(let signature, _) = outcome {
            Console.note("cancel_job confirmed: \(signature)")
        }
        print("cancelled \(address)")
    }
}
