import ArgumentParser
import CloudMesh
import Worker
import WorkerCLISupport

/// `show`: every field of one job, and this worker's journal record of it.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show every field of a job, and this worker's journal record of it.",
        discussion: """
            Reads the Job account at confirmed commitment and prints all of its fields. When the journal in \
            STATE_DIR (--state-dir) has a record of the job, its state, attempts, last error, result CID, \
            signature and every recorded transition follow (and a note when the journal's retention dropped the \
            stored result document). A job that does not exist exits with status 3. \
            Next: `cloudmesh-worker result <job>` prints the result document.

            Examples:
              cloudmesh-worker show 7Xf…Qz
              cloudmesh-worker show 7Xf…Qz --json
            """)

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The job's address (base58), as printed by `submit` and `jobs`.")
    var job: String

    @Flag(help: "Print {\"job\": {...}, \"journal\": {...} or null} as JSON.")
    var json = false

    func run() async throws {
        let context = try CommandContext.load(options)
        let address = try CommandContext.jobAddress(job)
        let catalog = try context.catalog()
        let listing = JobListing(
            address: address, job: try await context.existingJob(address, catalog: catalog))
        let journal: (record: JobRecord, transitions: [JobTransition])?
        do {
            journal = try await JournalPeek.record(
                for: address, stateDirectory: context.configuration.stateDirectory)
        } catch {
            journal = nil
            Console.note("warning: cannot read the journal: \(error)")
        }
        if json {
            let jobText = String(decoding: JobFormatting.json(listing).bytes, as: UTF8.self)
            let journalText =
                journal.map { JournalPeek.jsonText($0.record, transitions: $0.transitions) } ?? "null"
            print("{\"job\": \(jobText), \"journal\": \(journalText)}")
            return
        }
        for line in JobFormatting.alignedRows(
            JobFormatting.details(listing, program: context.configuration.programID).map { [$0.0, $0.1] })
        {
            print(line)
        }
        print("")
        if let journal {
            print("this worker's journal (\(context.configuration.stateDirectory)):")
            let rows = JournalPeek.details(journal.record).map { [$0.0, $0.1] }
            for line in JobFormatting.alignedRows(rows) { print("  " + line) }
            print("  transitions:")
            for line in JobFormatting.lines(journal.transitions) { print("    " + line) }
        } else {
            print(
                "this worker's journal (\(context.configuration.stateDirectory)) has no record of this job")
        }
    }
}
