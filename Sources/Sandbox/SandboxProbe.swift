import Foundation

/// What a job can see and do, measured from inside the sandbox by ``SandboxRunner/probe(sensitivePaths:)``.
public struct SandboxProbeReport: Sendable, Equatable, Codable {
    /// The job's user id, as it sees it.
    public var uid: Int
    /// The job's pid as it sees it (2 in a new pid namespace, under bubblewrap's init).
    public var pid: Int
    /// How many processes the job can see in /proc.
    public var visibleProcesses: Int
    /// The network interfaces the job has.
    public var networkInterfaces: [String]
    /// The result of connecting to a public address (`1.1.1.1:53`): "connected" or the error.
    public var publicNetwork: String
    /// The names of the job's environment variables.
    public var environmentNames: [String]
    /// The names of the variables in /proc/1/environ (bubblewrap's own environment), or nil if unreadable.
    public var initEnvironmentNames: [String]?
    /// The job's effective capability set (hex, from /proc/self/status).
    public var effectiveCapabilities: String
    /// The job's bounding capability set (hex).
    public var boundingCapabilities: String
    /// Which of the probed sensitive paths exist from the job's point of view.
    public var visibleSensitivePaths: [String]
    /// The hostname the job sees.
    public var hostname: String
    /// The job's seccomp mode (`Seccomp:` in /proc/self/status): "2" under a filter, "0" without.
    public var seccompMode: String
    /// What `unshare(CLONE_NEWUSER)` does in the job: "refused (EPERM)" or "allowed".
    public var userNamespaces: String

    /// Whether the job cannot reach any network outside its own namespace.
    public var networkIsolated: Bool {
        publicNetwork != "connected" && networkInterfaces.allSatisfy { $0 == "lo" }
    }
    /// Whether the job holds no capability.
    public var capabilitiesDropped: Bool {
        effectiveCapabilities.allSatisfy { $0 == "0" } && boundingCapabilities.allSatisfy { $0 == "0" }
    }
    /// Whether the job sees only its own processes.
    public var pidNamespaceIsolated: Bool { pid < 10 && visibleProcesses < 10 }
    /// Whether the job's and bubblewrap's environments hold only the fixed minimal set.
    public var environmentScrubbed: Bool {
        let allowed = Set(
            (BubblewrapCommand.jobEnvironment(home: "") + BubblewrapCommand.launcherEnvironment).map {
                String($0.split(separator: "=", maxSplits: 1)[0])
            } + ["PWD"])
        return environmentNames.allSatisfy(allowed.contains)
            && (initEnvironmentNames ?? []).allSatisfy(allowed.contains)
    }
    /// Whether a seccomp filter applies to the job and it cannot create user namespaces.
    public var kernelSurfaceReduced: Bool { seccompMode == "2" && userNamespaces != "allowed" }
    /// Whether every check passed.
    public var fullyIsolated: Bool {
        networkIsolated && capabilitiesDropped && pidNamespaceIsolated && environmentScrubbed
            && visibleSensitivePaths.isEmpty && uid != 0 && kernelSurfaceReduced
    }

    /// A one-line summary for the start-up log.
    public var summary: String {
        [
            "network \(networkIsolated ? "isolated (interfaces: \(networkInterfaces.joined(separator: ",")); public: \(publicNetwork))" : "REACHABLE (\(publicNetwork))")",
            "uid \(uid)",
            "pid \(pid) seeing \(visibleProcesses) processes\(pidNamespaceIsolated ? "" : " (NOT ISOLATED)")",
            "environment \(environmentScrubbed ? "minimal" : "NOT SCRUBBED") (\(environmentNames.joined(separator: ",")))",
            "capabilities \(capabilitiesDropped ? "none" : "PRESENT (effective \(effectiveCapabilities), bounding \(boundingCapabilities))")",
            seccompMode == "2" ? "seccomp filter" : "NO SECCOMP FILTER (mode \(seccompMode))",
            "user namespaces \(userNamespaces == "allowed" ? "ALLOWED" : userNamespaces)",
            visibleSensitivePaths.isEmpty
                ? "worker files invisible" : "VISIBLE: \(visibleSensitivePaths.joined(separator: ", "))",
        ].joined(separator: "; ")
    }

    /// The Python program that measures all of this; prints one JSON object.
    static func script(sensitivePaths: [String]) -> String {
        let pathList = "[" + sensitivePaths.map(pythonStringLiteral).joined(separator: ", ") + "]"
        return """
            import ctypes, errno, json, os, socket
            def caps(name):
                for line in open("/proc/self/status"):
                    if line.startswith(name + ":"):
                        return line.split()[1]
                return "unknown"
            def user_namespaces():
                libc = ctypes.CDLL(None, use_errno=True)
                if libc.unshare(0x10000000) == 0:
                    return "allowed"
                code = ctypes.get_errno()
                return "refused (" + errno.errorcode.get(code, str(code)) + ")"
            def public():
                try:
                    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
                    return "connected"
                except OSError as error:
                    return type(error).__name__ + ": " + str(error)
            try:
                init_env = sorted({entry.split(b"=", 1)[0].decode("utf-8", "replace")
                                   for entry in open("/proc/1/environ", "rb").read().split(b"\\0") if entry})
            except OSError:
                init_env = None
            print(json.dumps({
                "uid": os.getuid(),
                "pid": os.getpid(),
                "visibleProcesses": len([d for d in os.listdir("/proc") if d.isdigit()]),
                "networkInterfaces": sorted(name for _, name in socket.if_nameindex()),
                "publicNetwork": public(),
                "environmentNames": sorted(os.environ),
                "initEnvironmentNames": init_env,
                "effectiveCapabilities": caps("CapEff"),
                "boundingCapabilities": caps("CapBnd"),
                "visibleSensitivePaths": [p for p in \(pathList) if os.path.lexists(p)],
                "hostname": socket.gethostname(),
                "seccompMode": caps("Seccomp"),
                "userNamespaces": user_namespaces(),
            }))
            """
    }

    /// `text` as a Python string literal (a JSON string without escaped slashes is one).
    private static func pythonStringLiteral(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = (try? encoder.encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension SandboxRunner {
    /// Paths a job must never see: the worker's working directory, home, /root, /home and the given ones
    /// (the keypair, the state directory).
    public static func defaultSensitivePaths() -> [String] {
        var paths = ["/root", "/home", "/etc/shadow", "/var", "/run"]
        paths.append(FileManager.default.currentDirectoryPath)
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { paths.append(home) }
        return paths
    }

    /// Runs a small Python program in the sandbox that reports what it can see: network, user id, pid
    /// namespace, environment, capabilities and whether `sensitivePaths` (plus ``defaultSensitivePaths()``)
    /// are visible. The worker logs ``SandboxProbeReport/summary`` at start.
    public func probe(sensitivePaths: [String] = []) async throws -> SandboxProbeReport {
        let paths = Array(Set(Self.defaultSensitivePaths() + sensitivePaths)).sorted()
        let outcome = try await run(code: Array(SandboxProbeReport.script(sensitivePaths: paths).utf8))
        guard outcome.returncode == 0 else {
            throw SandboxError.probeFailed(
                "the probe exited with \(outcome.returncode): \(String(outcome.stderr.suffix(2000)))")
        }
        do {
            return try JSONDecoder().decode(SandboxProbeReport.self, from: Data(outcome.stdoutBytes))
        } catch {
            throw SandboxError.probeFailed("unreadable report \(String(outcome.stdout.prefix(500))): \(error)")
        }
    }
}
