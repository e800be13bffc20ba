import CloudMesh
import IPFS
import Solana
import Worker
import WorkerCLISupport

/// The exit statuses scripts can rely on (documented in the README and in `--help`).
enum ExitStatus: Int32, CaseIterable {
    /// Done.
    case success = 0
    /// Something failed (network, IPFS, verification, a transaction that did not land); retrying may help.
    case failure = 1
    /// The command line or the configuration is wrong (unknown flag, bad value, missing keypair, no publisher,
    /// airdrop on a public network, keygen over an existing file).
    case usage = 2
    /// The job (or file) named does not exist.
    case notFound = 3
    /// The keypair's wallet cannot pay the fee or the rent.
    case insufficientFunds = 4
    /// The job has no result: still pending (also `submit --wait` timing out) or cancelled.
    case notSettled = 5
    /// The CloudMesh program (or its rules) refused the request; retrying the same request will not help.
    case refused = 6
    /// `run` was stopped at once by a second SIGINT or SIGTERM (as a shell reports SIGINT); unfinished jobs
    /// resume from the journal next start.
    case interrupted = 130

    /// One line per status, for help texts.
    static let summary = """
        Exit status: 0 ok; 1 failure (network, IPFS, verification; retrying may help); 2 usage or configuration \
        error; 3 job not found; 4 insufficient funds; 5 the job has no result (pending, cancelled, or --wait \
        timed out); 6 refused by the CloudMesh program; 130 run stopped at once by a second signal.
        """
}

/// A failure to report: one line saying what happened, the fix, and the exit status.
struct CLIError: Error, CustomStringConvertible {
    /// The exit status.
    var status: ExitStatus
    /// What happened.
    var message: String
    /// What to do about it.
    var fix: String?

    init(_ status: ExitStatus, _ message: String, fix: String? = nil) {
        self.status = status
        self.message = message
        self.fix = fix
    }

    /// `message: fix`.
    var description: String { fix.map { "\(message): \($0)" } ?? message }

    /// The hint printed when the RPC node cannot be reached.
    static let rpcFix =
        "is the validator running? Start the local one with `scripts/devnet.sh`, or point SOLANA_RPC_URL "
        + "(--rpc-url) at a running node"

    /// The report for an error thrown by the libraries, or nil when it is not one of theirs.
    static func explaining(_ error: any Error) -> CLIError? {
        switch error {
        case let error as CLIError:
            return error
        case let error as ConfigurationError:
            return CLIError(.usage, error.description)
        case let error as KeypairFileError:
            if case .unreadable = error.problem {
                return CLIError(
                    .usage, "no keypair at \(error.path)",
                    fix: "run `cloudmesh-worker keygen` or set WORKER_KEYPAIR_PATH (--keypair)")
            }
            return CLIError(
                .usage, error.description,
                fix: "restore the file from a backup or point WORKER_KEYPAIR_PATH at another")
        case let error as SolanaRPCError:
            switch error {
            case .transport(let url, let reason) where reason.lowercased().contains("refused"):
                return CLIError(.failure, "nothing answers at \(url) (connection refused)", fix: rpcFix)
            case .transport, .timeout: return CLIError(.failure, error.description, fix: rpcFix)
            case .invalidEndpoint:
                return CLIError(.usage, error.description, fix: "fix SOLANA_RPC_URL (--rpc-url)")
            default: return CLIError(.failure, error.description)
            }
        case let error as PublishError:
            if case .unauthorized = error {
                return CLIError(.usage, error.description, fix: "set PINATA_JWT to a valid Pinata JWT")
            }
            return CLIError(
                .failure, "uploading failed: \(error)",
                fix: "check PINATA_API_URL / IPFS_API_URL and try again")
        case let error as RetrievalError:
            if error.isNotFound {
                return CLIError(
                    .failure, error.description,
                    fix:
                        "the content may not have reached the gateways yet; try again, or add a gateway to IPFS_GATEWAY_URL"
                )
            }
            return CLIError(
                .failure, error.description,
                fix: "check IPFS_GATEWAY_URL; content that does not verify is never shown")
        case let error as JournalError:
            return CLIError(.failure, error.description)
        case let error as CodeUpload.NoPublisher:
            return CLIError(.usage, error.description)
        case let error as ResultSummary.Malformed:
            return CLIError(
                .failure, error.description, fix: "print it as published with `result --json`")
        default:
            return nil
        }
    }

    /// The report of a transaction that did not confirm (`action` names it: "cancel_job").
    static func transaction(
        _ outcome: InstructionOutcome, action: String, signer: PublicKey, fix: (AnchorError) -> String?
    )
        -> CLIError?
    {
        switch outcome {
        case .confirmed:
            return nil
        case .refused(let error, _):
            return CLIError(
                .refused, "the CloudMesh program refused \(action): \(error)", fix: fix(error))
        case .insufficientFunds(let detail):
            return CLIError(
                .insufficientFunds, "\(signer) cannot pay for \(action): \(detail)", fix: fundingFix(signer)
            )
        case .failed(let detail, let logs):
            let last = logs.last.map { " (last log line: \(JobFormatting.sanitize($0)))" } ?? ""
            return CLIError(.failure, "\(action) failed: \(detail)\(last)")
        case .expired(let signature):
            return CLIError(
                .failure, "\(action) transaction \(signature) did not land before its blockhash expired",
                fix: "run the command again")
        }
    }

    /// How to fund `address`.
    static func fundingFix(_ address: PublicKey) -> String {
        "fund it: `cloudmesh-worker airdrop 2` on a local validator, otherwise send SOL to \(address)"
    }
}
