/// Everything that decides how a job is run.
public struct SandboxConfiguration: Sendable, Equatable {
    /// Whether cgroups are used to bound and kill a job's process tree.
    public enum CgroupPolicy: String, Sendable, Equatable {
        /// Use cgroups when the hierarchy is writable; otherwise log what is not enforced and go on.
        case automatic
        /// Never touch cgroups (processes are then bounded by `RLIMIT_NPROC` and the pid namespace only).
        case disabled
    }

    /// The isolation mode (`SANDBOX`, default `bwrap`).
    public var mode: SandboxMode
    /// The interpreter (`SANDBOX_PYTHON`, default `/usr/bin/python3`). In bubblewrap mode it must live in a
    /// directory bound into the sandbox (`/usr` or one of ``extraReadOnlyPaths``).
    public var pythonPath: String
    /// The bubblewrap binary; `nil` searches `/usr/bin/bwrap`, `/bin/bwrap` and `/usr/local/bin/bwrap`.
    public var bubblewrapPath: String?
    /// The resource limits.
    public var limits: ResourceLimits
    /// When the worker runs as root, each running job gets its own unprivileged user id from this range
    /// (`SANDBOX_UID_BASE`, 256 ids from 60000 by default), so `RLIMIT_NPROC` is enforced per job and a job
    /// cannot touch anything owned by root or by another job.
    public var jobUserIDs: Range<UInt32>
    /// Whether cgroups are used.
    public var cgroups: CgroupPolicy
    /// More host directories bound read-only into the sandbox (for an interpreter outside `/usr`).
    public var extraReadOnlyPaths: [String]
    /// Whether bubblewrap applies the seccomp filter (always, but for the tests that show what it stops and
    /// the benchmark that measures its cost).
    @_spi(Benchmarking) public var seccompFilter = true
    /// Whether bubblewrap 0.8+ is asked to disable user namespaces in the job (always, but for measurements).
    var userNamespaceLock = true

    /// Creates a configuration; every argument but the mode has the documented default.
    public init(
        mode: SandboxMode = .bubblewrap,
        pythonPath: String = "/usr/bin/python3",
        bubblewrapPath: String? = nil,
        limits: ResourceLimits = ResourceLimits(),
        jobUserIDs: Range<UInt32> = 60000..<60256,
        cgroups: CgroupPolicy = .automatic,
        extraReadOnlyPaths: [String] = []
    ) {
        self.mode = mode
        self.pythonPath = pythonPath
        self.bubblewrapPath = bubblewrapPath
        self.limits = limits
        self.jobUserIDs = jobUserIDs
        self.cgroups = cgroups
        self.extraReadOnlyPaths = extraReadOnlyPaths
    }

    /// Reads the configuration from environment-style settings:
    /// `SANDBOX` (`bwrap` | `none`), `EXECUTION_TIMEOUT` (seconds), `SANDBOX_PYTHON`, `SANDBOX_MEMORY_MB`,
    /// `SANDBOX_MAX_PROCESSES`, `SANDBOX_MAX_FILE_MB`, `SANDBOX_MAX_OPEN_FILES`, `SANDBOX_CPU_SECONDS`,
    /// `SANDBOX_TMPFS_MB`, `SANDBOX_OUTPUT_CAP_KB` (each of stdout and stderr), `SANDBOX_UID_BASE`,
    /// `SANDBOX_CGROUPS` (`auto` | `off`). Missing settings keep their defaults.
    public init(settings: [String: String]) throws(SandboxError) {
        self.init()
        if let value = settings["SANDBOX"] {
            guard let mode = SandboxMode(setting: value) else {
                throw .invalidConfiguration("SANDBOX must be `bwrap` or `none`, not `\(value)`")
            }
            self.mode = mode
        }
        if let value = settings["SANDBOX_PYTHON"], !value.isEmpty { pythonPath = value }
        if let seconds = try Self.number("EXECUTION_TIMEOUT", settings) {
            limits.wallTime = .seconds(seconds)
            limits.cpuSeconds = max(1, seconds)
        }
        if let value = try Self.number("SANDBOX_MEMORY_MB", settings) { limits.memoryBytes = value << 20 }
        if let value = try Self.number("SANDBOX_MAX_PROCESSES", settings) { limits.processes = value }
        if let value = try Self.number("SANDBOX_MAX_FILE_MB", settings) { limits.fileSizeBytes = value << 20 }
        if let value = try Self.number("SANDBOX_MAX_OPEN_FILES", settings) { limits.openFiles = value }
        if let value = try Self.number("SANDBOX_CPU_SECONDS", settings) { limits.cpuSeconds = value }
        if let value = try Self.number("SANDBOX_TMPFS_MB", settings) { limits.tmpfsBytes = value << 20 }
        if let value = try Self.number("SANDBOX_OUTPUT_CAP_KB", settings) {
            guard value <= UInt64(Int32.max) else { throw .invalidConfiguration("SANDBOX_OUTPUT_CAP_KB is too large") }
            limits.stdoutCapBytes = Int(value) << 10
            limits.stderrCapBytes = Int(value) << 10
        }
        if let base = try Self.number("SANDBOX_UID_BASE", settings) {
            guard base >= 1000, base + 256 < UInt64(UInt32.max) else {
                throw .invalidConfiguration("SANDBOX_UID_BASE must be between 1000 and 4294967039")
            }
            jobUserIDs = UInt32(base)..<UInt32(base + 256)
        }
        if let value = settings["SANDBOX_CGROUPS"] {
            switch value.lowercased() {
            case "auto", "automatic", "on": cgroups = .automatic
            case "off", "none", "disabled": cgroups = .disabled
            default: throw .invalidConfiguration("SANDBOX_CGROUPS must be `auto` or `off`, not `\(value)`")
            }
        }
    }

    private static func number(_ name: String, _ settings: [String: String]) throws(SandboxError) -> UInt64? {
        guard let text = settings[name] else { return nil }
        guard let value = UInt64(text), value > 0, value < 1 << 40 else {
            throw .invalidConfiguration("\(name) must be a positive whole number, not `\(text)`")
        }
        return value
    }
}
