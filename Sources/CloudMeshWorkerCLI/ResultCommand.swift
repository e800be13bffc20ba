import ArgumentParser
import Worker

/// `result`: a job's result document, verified.
struct ResultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result",
        abstract: "Fetch and print a job's result document, verified against the CID on chain.",
        discussion: """
            Reads the job at confirmed commitment, fetches its result CID from the gateways in \
            IPFS_GATEWAY_URL and prints the document only if its bytes prove that CID (content that does \
            not verify is never shown). The readable form lists returncode, executed_at and the extras, then \
            stdout and stderr; --json prints the document exactly as published. The exit status is 0 whatever \
            the job's own returncode; a pending or cancelled job exits 5, an unknown job 3.

            Examples:
              cloudmesh-worker result 7Xf…Qz
              cloudmesh-worker result 7Xf…Qz --json | jq -r .stdout
            """)

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The job's address (base58).")
    var job: String

    @Flag(help: "Print the result document exactly as published.")
    var json = false

    func run() async throws {
        let context = try CommandContext.load(options)
        let address = try CommandContext.jobAddress(job)
        let found = try await context.existingJob(address, catalog: try context.catalog())
        let presenter = ResultPresenter(context: context)
        let (cid, bytes) = try await presenter.fetch(found, address: address)
        try presenter.print(bytes, cid: cid, job: found, address: address, json: json)
    }
}
