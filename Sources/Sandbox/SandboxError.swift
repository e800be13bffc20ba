/// What went wrong while preparing or running a sandboxed job. Job failures (exceptions, non-zero exit,
/// timeouts) are not errors: they are reported in ``ExecutionOutcome``.
public enum SandboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// bubblewrap was requested but not found at any of the searched paths.
    case bubblewrapNotInstalled(searched: [String])
    /// The configured interpreter does not exist or is not executable.
    case pythonNotFound(path: String)
    /// The interpreter lives outside every directory bound into the sandbox.
    case pythonOutsideSandbox(path: String, resolved: String)
    /// A setting has an unusable value.
    case invalidConfiguration(String)
    /// Every job user id of the configured range is in use by running jobs.
    case noFreeJobUser(Range<UInt32>)
    /// A system call failed while preparing or starting the job.
    case systemCallFailed(operation: String, errno: Int32)
    /// The probe job did not produce a readable report.
    case probeFailed(String)
    /// The seccomp filter could not be built (libseccomp failed).
    case seccompUnavailable(String)
    /// The keypair, the state directory, an env file or a directory holding one is visible inside the sandbox.
    case secretsVisible([String])
    /// The job's cgroup could not be created after a few attempts; the job is not run without its limits.
    case cgroupUnavailable(String)
    /// A worker that is not root has no cgroup to bound each job's processes, and cgroups were not turned off
    /// explicitly: it refuses to start rather than run jobs whose process count nothing of its own bounds.
    case processesUnbounded(problems: [String])

    /// An explanation for the operator.
    public var description: String {
        switch self {
        case .bubblewrapNotInstalled(let searched):
            return "bubblewrap (bwrap) is not installed (looked at \(searched.joined(separator: ", "))): "
                + "install it with `apt-get install bubblewrap`, or set SANDBOX=none to run jobs "
                + "without isolation (job code could then read the worker's keypair and secrets)"
        case .pythonNotFound(let path):
            return "the Python interpreter \(path) does not exist or is not executable "
                + "(install python3 or set SANDBOX_PYTHON)"
        case .pythonOutsideSandbox(let path, let resolved):
            return "the Python interpreter \(path) (really \(resolved)) is outside the directories bound into "
                + "the sandbox; use /usr/bin/python3 or add its prefix to the sandbox's read-only paths"
        case .invalidConfiguration(let problem):
            return "invalid sandbox configuration: \(problem)"
        case .noFreeJobUser(let range):
            return "all \(range.count) job user ids (\(range.lowerBound)..<\(range.upperBound)) are in use; "
                + "run fewer jobs at once or choose another SANDBOX_UID_BASE"
        case .systemCallFailed(let operation, let errno):
            return "\(operation) failed: \(SystemErrorText.describe(errno))"
        case .probeFailed(let problem):
            return "the sandbox probe failed: \(problem)"
        case .seccompUnavailable(let problem):
            return "the sandbox's seccomp filter could not be built: \(problem) "
                + "(install libseccomp 2.5 or newer: `apt-get install libseccomp2`)"
        case .cgroupUnavailable(let problem):
            return "the job's cgroup could not be created (\(problem)); the job is not run without its process and "
                + "memory limits and is tried again later. Fix the cgroup hierarchy (permissions, pids limit of the "
                + "worker's own cgroup), or set SANDBOX_CGROUPS=off to rely on rlimits only"
        case .processesUnbounded(let problems):
            return "a worker not running as root bounds each job's processes with a cgroup, and it can create none "
                + "(\(problems.joined(separator: "; "))): give it a delegated cgroup (systemd: Delegate=yes), or set "
                + "SANDBOX_CGROUPS=off and bound the worker's user with LimitNPROC= or `ulimit -u`"
        case .secretsVisible(let paths):
            return "job code could read \(paths.joined(separator: ", ")) (inside a directory bound into the sandbox): "
                + "move it out of /usr and the sandbox's read-only paths, or accept it with "
                + "SANDBOX_ALLOW_VISIBLE=\(paths.joined(separator: ","))"
        }
    }
}
