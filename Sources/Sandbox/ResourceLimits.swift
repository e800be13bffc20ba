/// Resource limits applied to every job. Each has a documented default.
public struct ResourceLimits: Sendable, Equatable {
    /// Wall time after which the whole process tree is killed (`EXECUTION_TIMEOUT`, default 60 s).
    public var wallTime: Duration
    /// Memory for the whole job, in bytes (default 512 MiB): the cgroup memory limit of the job and the
    /// address-space limit (`RLIMIT_AS`) of each of its processes.
    public var memoryBytes: UInt64
    /// Processes (and threads) the job may have at once (default 64): the cgroup `pids.max` and `RLIMIT_NPROC`.
    public var processes: UInt64
    /// Largest file a job may write, in bytes (default 64 MiB, `RLIMIT_FSIZE`).
    public var fileSizeBytes: UInt64
    /// Open file descriptors per process (default 256, `RLIMIT_NOFILE`).
    public var openFiles: UInt64
    /// CPU seconds per process (default 60, `RLIMIT_CPU`).
    public var cpuSeconds: UInt64
    /// Size of each tmpfs (the working directory and `/tmp`), in bytes (default 64 MiB).
    public var tmpfsBytes: UInt64
    /// Bytes of stdout kept (default 1 MiB); the rest is read, counted and discarded.
    public var stdoutCapBytes: Int
    /// Bytes of stderr kept (default 1 MiB); the rest is read, counted and discarded.
    public var stderrCapBytes: Int

    /// Creates limits; every argument has the documented default.
    public init(
        wallTime: Duration = .seconds(60),
        memoryBytes: UInt64 = 512 << 20,
        processes: UInt64 = 64,
        fileSizeBytes: UInt64 = 64 << 20,
        openFiles: UInt64 = 256,
        cpuSeconds: UInt64 = 60,
        tmpfsBytes: UInt64 = 64 << 20,
        stdoutCapBytes: Int = 1 << 20,
        stderrCapBytes: Int = 1 << 20
    ) {
        self.wallTime = wallTime
        self.memoryBytes = memoryBytes
        self.processes = processes
        self.fileSizeBytes = fileSizeBytes
        self.openFiles = openFiles
        self.cpuSeconds = cpuSeconds
        self.tmpfsBytes = tmpfsBytes
        self.stdoutCapBytes = stdoutCapBytes
        self.stderrCapBytes = stderrCapBytes
    }

    /// Checks that every limit is usable; returns a description of the first problem found.
    func validationProblem() -> String? {
        if wallTime <= .zero { return "the wall-time limit must be positive" }
        if memoryBytes < 32 << 20 { return "the memory limit must be at least 32 MiB (python3 needs about 10 MiB)" }
        if processes < 4 { return "the process limit must be at least 4 (bubblewrap itself uses 3)" }
        if openFiles < 16 { return "the open-files limit must be at least 16" }
        if cpuSeconds < 1 { return "the CPU-time limit must be at least 1 second" }
        if fileSizeBytes < 1 << 20 { return "the file-size limit must be at least 1 MiB" }
        if tmpfsBytes < 1 << 20 { return "the tmpfs size must be at least 1 MiB" }
        if stdoutCapBytes < 0 || stderrCapBytes < 0 { return "output caps must not be negative" }
        return nil
    }
}
