/// What a job did: its output, how it ended and what it used.
public struct ExecutionOutcome: Sendable, Equatable {
    /// The captured stdout (at most the cap), decoded as UTF-8 with U+FFFD for invalid bytes.
    public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    /// The captured stderr (at most the cap), decoded as UTF-8 with U+FFFD for invalid bytes.
    public var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }
    /// The captured stdout bytes, exactly as written (at most the cap).
    public var stdoutBytes: [UInt8]
    /// The captured stderr bytes, exactly as written (at most the cap).
    public var stderrBytes: [UInt8]
    /// The exit status as Python's `subprocess` reports it: the exit code, or the negative signal number
    /// when the job was killed by a signal (-9 after a timeout).
    public var returncode: Int32
    /// Whether the wall-time limit was reached and the job's process tree killed.
    public var timedOut: Bool
    /// Wall time from start to the end of the job's last process.
    public var wallTime: Duration
    /// User plus system CPU time of the job's whole process tree, when the kernel reports it.
    public var cpuTime: Duration?
    /// Whether stdout was longer than the cap.
    public var stdoutTruncated: Bool { stdoutTotalBytes > UInt64(stdoutBytes.count) }
    /// Whether stderr was longer than the cap.
    public var stderrTruncated: Bool { stderrTotalBytes > UInt64(stderrBytes.count) }
    /// Bytes the job wrote to stdout, including those beyond the cap.
    public var stdoutTotalBytes: UInt64
    /// Bytes the job wrote to stderr, including those beyond the cap.
    public var stderrTotalBytes: UInt64
    /// The job's peak memory use (cgroup peak, or the largest process's resident set), when reported.
    public var peakMemoryBytes: UInt64?
    /// Whether the kernel killed a process of the job for exceeding the memory limit, when reported.
    public var memoryLimitHit: Bool?

    /// Creates an outcome.
    public init(
        stdoutBytes: [UInt8],
        stderrBytes: [UInt8],
        returncode: Int32,
        timedOut: Bool,
        wallTime: Duration,
        cpuTime: Duration?,
        stdoutTotalBytes: UInt64,
        stderrTotalBytes: UInt64,
        peakMemoryBytes: UInt64?,
        memoryLimitHit: Bool?
    ) {
        self.stdoutBytes = stdoutBytes
        self.stderrBytes = stderrBytes
        self.returncode = returncode
        self.timedOut = timedOut
        self.wallTime = wallTime
        self.cpuTime = cpuTime
        self.stdoutTotalBytes = stdoutTotalBytes
        self.stderrTotalBytes = stderrTotalBytes
        self.peakMemoryBytes = peakMemoryBytes
        self.memoryLimitHit = memoryLimitHit
    }
}
