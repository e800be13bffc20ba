import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs job code: anything that takes Python source bytes and returns how it went.
public protocol JobCodeRunner: Sendable {
    /// Runs `code` (the bytes of a Python program) and reports what it did; `packages` is a directory of
    /// installed dependencies put read-only on the job's `PYTHONPATH`.
    func run(code: [UInt8], packages: String?) async throws -> ExecutionOutcome
}

extension JobCodeRunner {
    /// Runs `code` with no dependencies.
    public func run(code: [UInt8]) async throws -> ExecutionOutcome {
        try await run(code: code, packages: nil)
    }
}

/// Runs untrusted Python code under the configured isolation and limits.
///
/// Creating a runner checks the set-up (bubblewrap and python3 present, cgroups usable) and fails with
/// an explanation when jobs could not be run safely; ``isolationDescription`` says what is enforced.
public final class SandboxRunner: JobCodeRunner {
    /// The configuration the runner was created with.
    public let configuration: SandboxConfiguration
    private let settings: RunnerSettings

    /// Creates a runner, checking that the chosen isolation is available.
    /// - Throws: ``SandboxError/bubblewrapNotInstalled(searched:)`` when bubblewrap is missing in
    ///   bubblewrap mode (install it with `apt-get install bubblewrap`, or set `SANDBOX=none`), and other
    ///   ``SandboxError``s for an unusable interpreter or configuration.
    public init(configuration: SandboxConfiguration, logger: Logger = Logger(label: "cloudmesh.sandbox"))
        throws(SandboxError)
    {
        if let problem = configuration.limits.validationProblem() { throw .invalidConfiguration(problem) }
        if configuration.mode == .bubblewrap && geteuid() == 0 && configuration.jobUserIDs.isEmpty {
            throw .invalidConfiguration("the job user id range is empty")
        }
        guard SystemFiles.isExecutableFile(configuration.pythonPath) else {
            throw .pythonNotFound(path: configuration.pythonPath)
        }
        var bubblewrap: BubblewrapCommand?
        var seccompFilter: SeccompFilter?
        var bubblewrapVersion: BubblewrapVersion?
        if configuration.mode == .bubblewrap {
            let candidates =
                configuration.bubblewrapPath.map { [$0] } ?? ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"]
            guard let path = candidates.first(where: SystemFiles.isExecutableFile) else {
                throw .bubblewrapNotInstalled(searched: candidates)
            }
            var command = BubblewrapCommand(
                bubblewrapPath: path, pythonPath: configuration.pythonPath,
                rootEntries: BubblewrapCommand.hostRootEntries(),
                extraReadOnlyPaths: configuration.extraReadOnlyPaths, tmpfsBytes: configuration.limits.tmpfsBytes)
            let resolved = SystemFiles.resolve(configuration.pythonPath) ?? configuration.pythonPath
            guard command.readOnlyRoots.contains(where: { resolved == $0 || resolved.hasPrefix($0 + "/") }) else {
                throw .pythonOutsideSandbox(path: configuration.pythonPath, resolved: resolved)
            }
            bubblewrapVersion = BubblewrapVersion.installed(at: path)
            command.disablesNestedUserNamespaces =
                configuration.userNamespaceLock && bubblewrapVersion?.locksUserNamespaces ?? false
            if configuration.seccompFilter {
                seccompFilter = try SeccompFilter.compile()
                command.appliesSeccompFilter = true
            }
            bubblewrap = command
        }
        var layout: CgroupLayout?
        var cgroupProblems: [String] = []
        if configuration.cgroups == .automatic {
            (layout, cgroupProblems) = CgroupLayout.detect()
            if let stale = layout?.removeStaleJobCgroups(), !stale.isEmpty {
                logger.notice(
                    "removed job cgroups left behind by a worker that stopped without cleaning up",
                    metadata: ["cgroups": "\(stale.joined(separator: ","))"])
            }
        } else {
            cgroupProblems = ["cgroups are disabled by configuration"]
        }
        if bubblewrap != nil, configuration.cgroups == .automatic, geteuid() != 0, !(layout?.limitsProcesses ?? false) {
            throw .processesUnbounded(problems: cgroupProblems.isEmpty ? ["no pids controller"] : cgroupProblems)
        }
        self.configuration = configuration
        self.settings = RunnerSettings(
            configuration: configuration, bubblewrap: bubblewrap, seccompFilter: seccompFilter, cgroupLayout: layout,
            switchesUser: geteuid() == 0, logger: logger)
        if let bubblewrap, configuration.userNamespaceLock, !bubblewrap.disablesNestedUserNamespaces {
            logger.warning(
                """
                bubblewrap \(bubblewrapVersion?.description ?? "of unknown version") at \(bubblewrap.bubblewrapPath) \
                cannot stop jobs from creating user namespaces (--disable-userns needs bubblewrap 0.8 or newer); \
                the seccomp filter still refuses them. Install bubblewrap 0.8 or newer (Debian 12: \
                apt-get install bubblewrap; or build it from https://github.com/containers/bubblewrap).
                """)
        }
        if let seccompFilter, !seccompFilter.omitted.isEmpty {
            logger.debug(
                "seccomp: calls this ABI or libseccomp does not have are left out of the filter",
                metadata: ["omitted": "\(seccompFilter.omitted.joined(separator: ","))"])
        }
        if !(layout?.limitsProcesses ?? false) || !(layout?.limitsMemory ?? false) {
            logger.warning(
                "cgroup limits are not fully available: \(notEnforcedByCgroups)",
                metadata: ["problems": "\(cgroupProblems.joined(separator: "; "))"])
        }
        if configuration.mode == .none {
            logger.critical("SANDBOX=none: \(isolationDescription)")
        }
    }

    /// Whether jobs are isolated from the host (bubblewrap mode).
    public var isIsolated: Bool { settings.bubblewrap != nil }

    /// What is enforced for every job, in words for the start-up log.
    public var isolationDescription: String {
        let limits = configuration.limits
        var parts: [String] = []
        if let bubblewrap = settings.bubblewrap {
            parts.append(
                "bubblewrap: new user, pid, network, ipc, uts and cgroup namespaces; no network; "
                    + "read-only /usr only; fresh tmpfs working directory and /tmp; minimal environment; "
                    + "all capabilities dropped"
                    + (bubblewrap.disablesNestedUserNamespaces ? "; no nested user namespaces" : ""))
            if let filter = settings.seccompFilter {
                parts.append(
                    "seccomp: \(SeccompPolicy.refusedSyscalls.count) system calls refused (Docker's default "
                        + "profile as model; \(filter.instructionCount) BPF instructions), other ABIs killed")
            } else {
                parts.append("NO SECCOMP FILTER")
            }
        } else {
            parts.append(
                "NO ISOLATION: job code can read every file and use the network the worker's user can; "
                    + "only resource limits, a scrubbed environment and a temporary working directory apply")
        }
        parts.append(
            settings.switchesUser
                ? "runs as its own unprivileged user id (\(configuration.jobUserIDs.lowerBound)+)"
                : "runs as the worker's user")
        parts.append(
            "limits: \(limits.wallTime) wall, \(limits.memoryBytes >> 20) MiB memory, \(limits.processes) processes, "
                + "\(limits.cpuSeconds) s CPU, \(limits.fileSizeBytes >> 20) MiB files, \(limits.openFiles) open files, "
                + "output capped at \(limits.stdoutCapBytes) + \(limits.stderrCapBytes) bytes")
        if let layout = settings.cgroupLayout {
            parts.append("cgroups: \(layout.summary)")
        } else {
            parts.append("no cgroups: \(notEnforcedByCgroups)")
        }
        return parts.joined(separator: "; ")
    }

    private var notEnforcedByCgroups: String {
        let layout = settings.cgroupLayout
        var missing: [String] = []
        if !(layout?.limitsProcesses ?? false) {
            missing.append(
                settings.switchesUser
                    ? "processes are bounded per process tree by RLIMIT_NPROC only"
                    : "the process count is bounded only by the worker user's RLIMIT_NPROC, shared by the worker and "
                        + "every job (set LimitNPROC= or `ulimit -u` for that user), and by the timeout")
        }
        if !(layout?.limitsMemory ?? false) {
            missing.append("memory is bounded per process (RLIMIT_AS), not for the job as a whole")
        }
        if layout == nil {
            missing.append(
                "leftover processes are killed through the pid namespace"
                    + (settings.switchesUser ? " and the job's user id" : "")
                    + ", CPU time and peak memory are not measured")
        }
        return missing.isEmpty ? "everything is enforced" : missing.joined(separator: "; ")
    }

    /// Runs `code` (the bytes of a Python program, any encoding) as `main.py` in a fresh working directory;
    /// `packages` (a directory of installed dependencies) is bound read-only at
    /// `/opt/cloudmesh/packages` and put on `PYTHONPATH`. Cancelling the calling task kills the job and throws
    /// `CancellationError`.
    public func run(code: [UInt8], packages: String?) async throws -> ExecutionOutcome {
        try Task.checkCancellation()
        let cancel = try CancelSignal()
        let execution = JobExecution(settings: settings, code: code, packages: packages, cancel: cancel)
        let result = await withTaskCancellationHandler {
            await DedicatedThread.run { execution.run() }
        } onCancel: {
            cancel.fire()
        }
        switch try result.get() {
        case .finished(let outcome): return outcome
        case .cancelled: throw CancellationError()
        }
    }
}
