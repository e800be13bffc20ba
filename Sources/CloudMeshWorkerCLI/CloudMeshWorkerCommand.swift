import ArgumentParser
import Foundation
import Redaction

/// `cloudmesh-worker`: runs CloudMesh jobs, and manages the wallet and the jobs around it.
@main
struct CloudMeshWorkerCommand: AsyncParsableCommand {
    /// The version printed by `--version`.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "cloudmesh-worker",
        abstract:
            "Run CloudMesh jobs: Python code on IPFS, registered on Solana, executed in a sandbox.",
        discussion: """
            The worker watches the CloudMesh program for pending jobs, fetches each job's code from IPFS \
            (verified against its CID), runs it under bubblewrap, publishes the result document to IPFS and \
            calls complete_job. The other commands manage the keypair and inspect, submit and cancel jobs.

            Configuration comes from the environment, then a .env file in the working directory, then the \
            flags (flags win): SOLANA_RPC_URL, WORKER_KEYPAIR_PATH, PROGRAM_ID, PINATA_JWT, IPFS_API_URL, \
            IPFS_GATEWAY_URL, STATE_DIR and more (README.md lists every variable with its default).

            Examples:
              cloudmesh-worker keygen            # create ./worker-keypair.json
              cloudmesh-worker airdrop 2         # fund it on a local validator
              cloudmesh-worker submit hello.py --title hello --wait
              cloudmesh-worker jobs --status pending
              cloudmesh-worker result <job>      # the job's verified result

            \(ExitStatus.summary)
            """,
        version: version,
        subcommands: [
            RunCommand.self,
            KeygenCommand.self,
            AddressCommand.self,
            BalanceCommand.self,
            AirdropCommand.self,
            JobsCommand.self,
            ShowCommand.self,
            SubmitCommand.self,
            ResultCommand.self,
            CancelCommand.self,
            EnvironmentsCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )

    /// Parses, runs, and exits with the documented statuses: usage errors exit 2 (not ArgumentParser's
    /// 64), and library errors are explained in one line with their fix.
    static func main() async {
        let status: ExitStatus
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            status = .success
        } catch {
            status = report(error)
        }
        Foundation.exit(status.rawValue)
    }

    /// Prints `error` (credentials in URLs replaced by `REDACTED`) and returns the exit status it maps to.
    static func report(_ error: any Error) -> ExitStatus {
        if let explained = CLIError.explaining(error) {
            Console.note(CredentialRedaction.redact("error: \(explained)"))
            return explained.status
        }
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success {
            if !message.isEmpty { print(message) }
            return .success
        }
        if !message.isEmpty { Console.note(CredentialRedaction.redact(message)) }
        if code == .validationFailure { return .usage }
        return ExitStatus(rawValue: code.rawValue).flatMap { [.usage, .interrupted].contains($0) ? $0 : nil }
            ?? .failure
    }
}
