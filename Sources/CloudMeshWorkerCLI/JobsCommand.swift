import ArgumentParser
import CloudMesh
import Solana
import Worker
import WorkerCLISupport

/// A job status as written on the command line.
enum StatusFilter: String, ExpressibleByArgument, CaseIterable {
    case pending, completed, cancelled

    /// The on-chain status.
    var status: JobStatus {
        switch self {
        case .pending: .pending
        case .completed: .completed
        case .cancelled: .cancelled
        }
    }
}

/// `jobs`: the table of the program's jobs.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List the program's jobs: address, title, status, owner, cost, result CID.",
        discussion: """
            Reads every Job account of PROGRAM_ID at confirmed commitment (a finalized read lags about 13 s), \
            oldest first. Filter by status and owner; --json prints every field for scripts (cost in lamports, \
            times in unix seconds). Next: `cloudmesh-worker show <address>` for one job, \
            `cloudmesh-worker result <address>` for its result.

            Examples:
              cloudmesh-worker jobs --status pending
              cloudmesh-worker jobs --owner $(cloudmesh-worker address) --json
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Only jobs in this status (pending, completed or cancelled).")
    var status: StatusFilter?

    @Option(help: "Only jobs created by this address (base58).")
    var owner: String?

    @Flag(help: "Print a JSON array with every field of each job.")
    var json = false

    func run() async throws {
        let context = try CommandContext.load(options)
        var ownerKey: PublicKey?
        if let owner {
            do {
                ownerKey = try PublicKey(base58: owner)
            } catch {
                throw CLIError(
                    .usage, "--owner \"\(JobFormatting.sanitize(owner))\" is not an address (\(error))")
            }
        }
        let (jobs, skipped) = try await context.catalog().list(owner: ownerKey, status: status?.status)
        if json {
            print(JobFormatting.jsonArray(jobs))
        } else if jobs.isEmpty {
            Console.note("no jobs" + (status == nil && ownerKey == nil ? "" : " match the filters"))
        } else {
            print(JobFormatting.table(jobs))
        }
        if skipped > 0 {
            Console.note(
                "note: \(skipped) account(s) of the program are not valid Job accounts and were skipped")
        }
    }
}
