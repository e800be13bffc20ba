import Foundation
import Solana

/// A Job account of the program, with its address.
public struct JobListing: Sendable, Hashable {
    /// The job account's address.
    public var address: PublicKey
    /// The decoded account.
    public var job: Job

    /// Creates a listing.
    public init(address: PublicKey, job: Job) {
        self.address = address
        self.job = job
    }
}

/// What is at a job address.
public enum JobLookup: Sendable, Hashable {
    /// A CloudMesh Job of the configured program.
    case found(Job)
    /// No account exists there (or the program has not confirmed it yet).
    case missing
    /// An account exists but is not a Job of this program; says why.
    case notAJob(String)
}

/// Reads the program's jobs from the chain at `confirmed` commitment (a `finalized` read trails the tip by
/// about 13 seconds, so a job settled a moment ago would still read as pending).
public struct JobCatalog: Sendable {
    /// The commitment every read uses.
    public static let commitment: Commitment = .confirmed

    /// The node.
    public let client: SolanaRPCClient
    /// The program deployment.
    public let program: CloudMeshProgram

    /// Creates a catalog.
    public init(client: SolanaRPCClient, program: CloudMeshProgram) {
        self.client = client
        self.program = program
    }

    /// Every job of the program, optionally only those of `owner` and in `status`, oldest first; accounts that
    /// do not decode are counted in `skipped`, not thrown.
    public func list(owner: PublicKey? = nil, status: JobStatus? = nil) async throws(SolanaRPCError)
        -> (jobs: [JobListing], skipped: Int)
    {
        var filters = Job.accountFilters
        if let owner { filters.append(Job.ownerFilter(owner)) }
        let accounts = try await client.getProgramAccounts(
            program.programId, filters: filters, commitment: Self.commitment)
        var jobs: [JobListing] = []
        var skipped = 0
        for account in accounts {
            guard account.account.owner == program.programId,
                let job = try? Job(accountData: account.account.data)
            else {
                skipped += 1
                continue
            }
            if let owner, job.owner != owner { continue }
            if let status, job.status != status { continue }
            jobs.append(JobListing(address: account.pubkey, job: job))
        }
        jobs.sort { ($0.job.startTime, $0.address) < ($1.job.startTime, $1.address) }
        return (jobs, skipped)
    }

    /// What is at `address` now.
    public func lookup(_ address: PublicKey) async throws(SolanaRPCError) -> JobLookup {
        guard let account = try await client.getAccountInfo(address, commitment: Self.commitment) else {
            return .missing
        }
        guard account.owner == program.programId else {
            return .notAJob(
                "the account is owned by \(account.owner), not the CloudMesh program \(program.programId)")
        }
        do {
            return .found(try Job(accountData: account.data))
        } catch {
            return .notAJob(error.description)
        }
    }

    /// Reads the job every `pollInterval` until it is no longer pending (or gone), or until `timeout`;
    /// `progress` is called after each read that still finds it pending, with the time waited so far.
    /// Returns the last lookup (still `.found` with a pending job when the time ran out).
    public func waitUntilSettled(
        _ address: PublicKey, timeout: Duration, pollInterval: Duration = .milliseconds(400),
        progress: @Sendable (Duration) -> Void = { _ in }
    ) async throws -> JobLookup {
        let clock = ContinuousClock()
        let start = clock.now
        while true {
            let lookup = try await lookup(address)
            guard case .found(let job) = lookup, job.status == .pending else { return lookup }
            let waited = clock.now - start
            if waited >= timeout { return lookup }
            progress(waited)
            try await Task.sleep(for: min(pollInterval, timeout - waited))
        }
    }
}
