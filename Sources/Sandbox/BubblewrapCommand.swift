/// The bubblewrap command line for one job: the whole isolation policy in one place.
struct BubblewrapCommand: Sendable, Equatable {
    /// How one top-level entry of the host's root (`/bin`, `/lib`, ...) appears in the sandbox.
    enum RootEntry: Sendable, Equatable {
        /// A symbolic link, as on merged-/usr systems (`/bin -> usr/bin`).
        case symlink(path: String, target: String)
        /// A real directory, bound read-only.
        case directory(path: String)
    }

    /// The job's working directory inside the sandbox (a fresh tmpfs).
    static let workingDirectory = "/job"
    /// The file the job's code is written to, relative to the working directory.
    static let scriptName = "main.py"
    /// The descriptor in bubblewrap from which it copies the code into the sandbox (`--file`).
    static let codeDescriptor: Int32 = 3
    /// The descriptor in bubblewrap from which it reads the seccomp filter (`--seccomp`).
    static let seccompDescriptor: Int32 = 4
    /// The user and group id the job has inside its user namespace (`nobody`).
    static let insideID = "65534"
    /// The top-level entries mirrored from the host when present: what the dynamic loader and python3 use.
    static let rootEntryCandidates = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]

    /// The bubblewrap binary.
    var bubblewrapPath: String
    /// The interpreter, as seen inside the sandbox (the same path as on the host).
    var pythonPath: String
    /// `/bin`, `/lib`, ... as found on the host.
    var rootEntries: [RootEntry]
    /// Further host directories bound read-only.
    var extraReadOnlyPaths: [String]
    /// Size of the working-directory and `/tmp` tmpfs.
    var tmpfsBytes: UInt64
    /// Whether bubblewrap reads a seccomp filter from ``seccompDescriptor`` and applies it to the job.
    var appliesSeccompFilter = false
    /// Whether the job is kept from creating user namespaces (`--disable-userns`, bubblewrap 0.8+).
    var disablesNestedUserNamespaces = false

    /// The full argument vector, `argv[0]` included.
    var arguments: [String] { arguments(packages: nil) }

    /// Where a job's packages (``JobPackages``) appear inside the sandbox, read-only, on `PYTHONPATH`.
    static let packagesDirectory = "/opt/cloudmesh/packages"

    /// The argument vector; with `packages`, that directory is bound read-only at ``packagesDirectory`` and put
    /// on the job's `PYTHONPATH`.
    func arguments(packages: String?) -> [String] {
        var arguments = [
            bubblewrapPath,
            // New namespaces: user, pid, network (only a private loopback), ipc, uts, cgroup.
            "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try",
            "--uid", Self.insideID, "--gid", Self.insideID, "--hostname", "sandbox",
            // Killed with the worker, in its own session (no terminal), without any capability.
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        ]
        if disablesNestedUserNamespaces {
            // No user namespace of its own (where it would hold every capability), checked by bubblewrap.
            arguments += ["--disable-userns", "--assert-userns-disabled"]
        }
        if appliesSeccompFilter {
            // Applied last, to the job only: bubblewrap itself still sets up the namespaces and mounts.
            arguments += ["--seccomp", String(Self.seccompDescriptor)]
        }
        arguments += [
            // Read-only: the interpreter and its libraries only. No /etc, /home, /root, /work, /run, /var.
            "--ro-bind", "/usr", "/usr",
        ]
        for entry in rootEntries {
            switch entry {
            case .symlink(let path, let target): arguments += ["--symlink", target, path]
            case .directory(let path): arguments += ["--ro-bind", path, path]
            }
        }
        for path in extraReadOnlyPaths { arguments += ["--ro-bind", path, path] }
        if let packages { arguments += ["--ro-bind", packages, Self.packagesDirectory] }
        let size = String(tmpfsBytes)
        arguments += [
            // /dev holds only null, zero, full, random, urandom, tty and pts; it is made read-only after a
            // size-capped /dev/shm (for multiprocessing) is mounted in it.
            "--proc", "/proc", "--dev", "/dev",
            "--size", size, "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
            "--size", size, "--tmpfs", "/tmp",
            "--size", size, "--tmpfs", Self.workingDirectory,
            "--file", String(Self.codeDescriptor), Self.workingDirectory + "/" + Self.scriptName,
            "--remount-ro", "/",
            "--chdir", Self.workingDirectory,
            "--clearenv",
        ]
        for entry in Self.jobEnvironment(home: "/tmp", packages: packages.map { _ in Self.packagesDirectory }) {
            let parts = entry.split(separator: "=", maxSplits: 1)
            arguments += ["--setenv", String(parts[0]), parts.count > 1 ? String(parts[1]) : ""]
        }
        arguments += ["--"] + Self.pythonArguments(pythonPath)
        return arguments
    }

    /// How the interpreter is started: `-s` leaves out the user site directory; the script's directory is
    /// on `sys.path` as with a plain `python3 main.py`.
    static func pythonArguments(_ pythonPath: String) -> [String] {
        [pythonPath, "-s", scriptName]
    }

    /// The job's complete environment: a fixed minimal set, nothing inherited from the worker; `packages` (a
    /// directory of installed dependencies) goes on `PYTHONPATH`.
    static func jobEnvironment(home: String, packages: String? = nil) -> [String] {
        [
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "HOME=\(home)",
            "TMPDIR=\(home)",
            "LANG=C.UTF-8",
            "USER=sandbox",
            "LOGNAME=sandbox",
            "PYTHONDONTWRITEBYTECODE=1",
            "PYTHONUNBUFFERED=1",
        ] + (packages.map { ["PYTHONPATH=\($0)"] } ?? [])
    }

    /// The environment bubblewrap itself runs with. It is visible inside as `/proc/1/environ`, so it holds
    /// nothing of the worker's (no `PINATA_JWT`).
    static let launcherEnvironment = ["PATH=/usr/bin:/bin"]

    /// `/bin`, `/lib`, ... as they are on this host: symbolic links stay links, directories are bound.
    static func hostRootEntries() -> [RootEntry] {
        rootEntryCandidates.compactMap { path in
            if let target = SystemFiles.symbolicLinkTarget(path) { return .symlink(path: path, target: target) }
            return SystemFiles.isDirectory(path) ? .directory(path: path) : nil
        }
    }

    /// The host directories visible (read-only) inside the sandbox.
    var readOnlyRoots: [String] {
        ["/usr"] + extraReadOnlyPaths
            + rootEntries.compactMap { entry in
                if case .directory(let path) = entry { return path }
                return nil
            }
    }
}
