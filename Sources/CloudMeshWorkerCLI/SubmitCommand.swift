import ArgumentParser
import CloudMesh
import Foundation
import Solana
import Worker
import WorkerCLISupport

/// A job type as written on the command line.
enum JobKind: String, ExpressibleByArgument, CaseIterable {
    case manual, api, cron

    /// The on-chain type.
    var jobType: JobType {
        switch self {
        case .manual: .manual
        case .api: .api
        case .cron: .cron
        }
    }
}

/// `submit`: uploads Python code and creates a job for it.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Upload a Python file to IPFS and create a job for it; print the job's address.",
        discussion: """
            The file's CID is computed locally (CIDv0, as Kubo and Pinata compute it) and the publisher's \
            answer must match it. The publisher is the Kubo node at IPFS_API_URL when set, else Pinata with \
            PINATA_JWT. Then initialize_job is sent, signed and paid by the keypair (the job's owner; the \
            account's rent is about 0.003 SOL), and the job's address is printed on standard output once \
            confirmed. The address is the PDA of ("job", owner, title): a title is unique per owner and at \
            most 32 bytes.

            With --wait the command follows the job until a worker settles it (progress on standard error) \
            and prints the result document like `result`; if it is still pending after --timeout seconds, it \
            exits with status 5 (the job stays pending; `result` fetches it later).

            Examples:
              cloudmesh-worker submit hello.py --title hello
              job=$(cloudmesh-worker submit primes.py --title primes --type api)
              cloudmesh-worker submit hello.py --title hello-2 --wait --timeout 120
            """)

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The Python file to run.")
    var file: String

    @Option(help: "The job's title: 1 to 32 bytes, unique among your jobs.")
    var title: String

    @Option(name: .customLong("type"), help: "The job's type: manual, api or cron.")
    var kind: JobKind = .manual

    @Flag(help: "Wait until a worker settles the job, then print its result.")
    var wait = false

    @Option(help: "Seconds --wait waits before giving up (exit status 5).")
    var timeout = 300

    @Flag(help: "With --wait, print the result document exactly as published.")
    var json = false

    func validate() throws {
        guard (1...32).contains(title.utf8.count) else {
            throw ValidationError(
                "--title must be 1 to 32 bytes (it is \(title.utf8.count)): the title is a seed of the job's address"
            )
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second") }
    }

    func run() async throws {
        let context = try CommandContext.load(options)
        let keypair = try context.keypair()
        let code = try readCode(limit: context.configuration.maxCodeBytes)
        let upload = try CodeUpload(configuration: context.configuration)
        let catalog = try context.catalog()
        let program = context.program
        let address = try program.jobAddress(owner: keypair.publicKey, title: title).address
        if case .found(let existing) = try await catalog.lookup(address) {
            throw CLIError(
                .refused,
                "you already have a job titled \"\(JobFormatting.sanitize(title))\": \(address) (\(existing.status))",
                fix: "choose another title")
        }
        try await checkFunds(keypair.publicKey, client: catalog.client)

        let cid = try await upload.upload(code, name: (file as NSString).lastPathComponent)
        Console.note(
            "uploaded \(file) to \(upload.publisher.serviceName): \(cid) (matches the CID computed locally)"
        )

        let sender = SignedInstructions(
            client: catalog.client, signer: keypair, program: program, logger: context.logger)
        let outcome = try await sender.send([
            try program.initializeJob(
                owner: keypair.publicKey, title: title, codeCID: cid.description, jobType: kind.jobType)
        ])
        if let error = CLIError.transaction(
            outcome, action: "initialize_job", signer: keypair.publicKey, fix: { _ in nil })
        {
            throw error
        }
        if case .confirmed(let signature, _) = outcome {
            Console.note("initialize_job confirmed: \(signature)")
        }
        print(address.base58)
        fflush(nil)
        if wait { try await waitForResult(address, context: context, catalog: catalog) }
    }

    /// The file's bytes, within the size workers accept.
    private func readCode(limit: Int) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else {
            let exists = FileManager.default.fileExists(atPath: file)
            throw CLIError(
                exists ? .usage : .notFound, exists ? "cannot read \(file)" : "no file at \(file)",
                fix: "pass the path of a Python file")
        }
        guard data.count <= limit else {
            throw CLIError(
                .usage,
                "\(file) is \(data.count) bytes; workers accept code up to MAX_CODE_BYTES (\(limit))",
                fix: "make it smaller, or raise MAX_CODE_BYTES on the workers that will run it")
        }
        guard !data.isEmpty else {
            throw CLIError(.usage, "\(file) is empty", fix: "pass a Python file with code")
        }
        return Array(data)
    }

    /// Fails with status 4 unless the wallet can pay the fee and the new account's rent.
    private func checkFunds(_ owner: PublicKey, client: SolanaRPCClient) async throws {
        let rent = try await client.getMinimumBalanceForRentExemption(dataLength: Job.accountSize)
        let needed = rent + 10_000
        let balance = try await client.getBalance(owner, commitment: JobCatalog.commitment)
        guard balance >= needed else {
            throw CLIError(
                .insufficientFunds,
                "\(owner) has \(Lamports.solText(balance)) SOL; creating a job needs about "
                    + "\(Lamports.solText(needed)) SOL (rent of the job account plus the fee)",
                fix: CLIError.fundingFix(owner))
        }
    }

    /// Follows the job until it settles, then prints its result.
    private func waitForResult(_ address: PublicKey, context: CommandContext, catalog: JobCatalog)
        async throws
    {
        let terminal = Console.stderrIsTerminal
        let reported = Reported()
        let lookup = try await catalog.waitUntilSettled(address, timeout: .seconds(timeout)) { waited in
            let seconds = Int(waited.components.seconds)
            if terminal {
                FileHandle.standardError.write(
                    Data("\rwaiting for a worker to settle the job… \(seconds) s".utf8))
            } else if reported.shouldReport(seconds) {
                Console.note("still pending after \(seconds) s")
            }
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        guard case .found(let job) = lookup else {
            throw CLIError(.notFound, "job \(address) disappeared while waiting")
        }
        if job.status == .pending {
            throw CLIError(
                .notSettled, "job \(address) is still pending after \(timeout) s",
                fix:
                    "is a worker running (`cloudmesh-worker run`)? The job stays pending; fetch it later with `cloudmesh-worker result \(address)`"
            )
        }
        let presenter = ResultPresenter(context: context)
        let (cid, bytes) = try await presenter.fetch(job, address: address)
        Console.note("job settled by a worker; result:")
        try presenter.print(bytes, cid: cid, job: job, address: address, json: json)
    }
}

/// Remembers the last 10-second mark reported, so non-terminal progress is one line every 10 s.
private final class Reported: @unchecked Sendable {
    private let lock = NSLock()
    private var lastMark = 0

    func shouldReport(_ seconds: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let mark = seconds / 10
        guard mark > lastMark else { return false }
        lastMark = mark
        return true
    }
}
