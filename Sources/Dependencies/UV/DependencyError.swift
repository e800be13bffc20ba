/// Why a job's dependencies could not be made into an environment.
///
/// ``isJobFault`` splits the cases in two:
/// - **the job's own fault** (``isJobFault`` true): the caller answers the job with an error document
///   (returncode -1, ``description`` in `stderr` and `error`), because trying again gives the same answer:
///   an unknown package, a release with no wheel for this interpreter (only an sdist), a version conflict, a
///   package whose `Requires-Python` excludes the interpreter, a requirement uv cannot read, the allowlist
///   refusing a package, an environment over the size cap, too many packages, and running out of
///   `DEPENDENCY_TIMEOUT`. A timeout is charged to the job, as the issue asks, because what a job controls
///   (how much it asks to download and install) is what makes a build long; an index that does not answer
///   at all shows up earlier as uv's own HTTP timeout (``indexUnavailable``), as long as uv's HTTP timeout is
///   well below `DEPENDENCY_TIMEOUT` (``UVResolver/httpTimeoutSeconds``);
/// - **infrastructure** (``isJobFault`` false, transient): uv missing or not runnable, the index unreachable
///   or failing, a full disk, and any uv failure not recognised as one of the above. The caller retries
///   later, within the bound it keeps for transient failures (as for code retrieval), never forever.
///
/// Messages are short, name the package where uv does, and never hold credentials: index URLs have their
/// userinfo and secret parameters replaced by `REDACTED`.
public enum DependencyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The requirements cannot be met (unknown package, no usable wheel, conflict, `Requires-Python`):
    /// uv's explanation, and the first direct requirement it names.
    case unsatisfiable(package: String?, explanation: String)
    /// uv could not read a requirement (or there was none to install).
    case invalidRequirement(String)
    /// The allowlist does not hold these distributions (normalized names).
    case notAllowed(packages: [String])
    /// The installed environment (or the build's downloads) exceeded the cap.
    case tooLarge(limitBytes: UInt64)
    /// The resolution has more packages than ``DependencyLock/maximumPackages``.
    case tooManyPackages(count: Int, limit: Int)
    /// Resolving and installing took longer than the dependency timeout.
    case timedOut(after: Duration)
    /// uv cannot be run (missing, not executable, no room to start it).
    case uvUnavailable(String)
    /// The index could not be reached or answered with an error.
    case indexUnavailable(String)
    /// The disk holding the environments is full.
    case diskFull(String)
    /// uv failed in a way not recognised above.
    case uvFailed(String)

    /// Whether the job itself is to blame (answer with an error document) rather than the infrastructure
    /// (retry later).
    public var isJobFault: Bool {
        switch self {
        case .unsatisfiable, .invalidRequirement, .notAllowed, .tooLarge, .tooManyPackages, .timedOut: true
        case .uvUnavailable, .indexUnavailable, .diskFull, .uvFailed: false
        }
    }

    /// One message for the result document or the log.
    public var description: String {
        switch self {
        case .unsatisfiable(let package, let explanation):
            "dependencies cannot be installed\(package.map { " (\($0))" } ?? ""): \(explanation)"
        case .invalidRequirement(let message):
            "invalid dependencies: \(message)"
        case .notAllowed(let packages):
            "dependencies refused by the worker's package allowlist: \(packages.joined(separator: ", "))"
        case .tooLarge(let limit):
            "dependencies too large: the environment exceeds the limit of "
                + (limit % (1024 * 1024) == 0 ? "\(limit / (1024 * 1024)) MB" : "\(limit) bytes")
        case .tooManyPackages(let count, let limit):
            "dependencies resolve to \(count) packages, more than the limit of \(limit)"
        case .timedOut(let after):
            "dependencies could not be installed within \(after.components.seconds) s"
        case .uvUnavailable(let message):
            "uv is unavailable: \(message)"
        case .indexUnavailable(let message):
            "the package index is unavailable: \(message)"
        case .diskFull(let message):
            "no space left for dependencies: \(message)"
        case .uvFailed(let message):
            "uv failed: \(message)"
        }
    }
}
