/// What running a job's code produced.
package struct ExecutionReport: Sendable, Hashable {
    /// Captured standard output (decoded as UTF-8, invalid bytes replaced), possibly truncated.
    package var stdout: String
    /// Captured standard error, possibly truncated.
    package var stderr: String
    /// The exit status; negative signal number when killed, as Python's subprocess reports it.
    package var returnCode: Int
    /// Whether the wall-time limit killed the run.
    package var timedOut: Bool
    /// Wall time, in seconds.
    package var wallTime: Double
    /// CPU time (user + system), in seconds.
    package var cpuTime: Double
    /// Whether stdout was cut at the output limit.
    package var stdoutTruncated: Bool
    /// Whether stderr was cut at the output limit.
    package var stderrTruncated: Bool
    /// Peak resident memory in bytes, when known.
    package var peakMemoryBytes: UInt64?

    /// Creates a report.
    package init(
        stdout: String, stderr: String, returnCode: Int, timedOut: Bool = false, wallTime: Double = 0,
        cpuTime: Double = 0, stdoutTruncated: Bool = false, stderrTruncated: Bool = false,
        peakMemoryBytes: UInt64? = nil
    ) {
        self.stdout = stdout
        self.stderr = stderr
        self.returnCode = returnCode
        self.timedOut = timedOut
        self.wallTime = wallTime
        self.cpuTime = cpuTime
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.peakMemoryBytes = peakMemoryBytes
    }
}

/// Runs a job's Python code (sandboxed in production), with the limits it was configured with.
package protocol CodeExecutor: Sendable {
    /// Runs `code`, with `packages` (a directory of installed dependencies, see ``DependencyPreparer``) on its
    /// `PYTHONPATH`. A failing or timed-out program is a report, not an error; throw only when the code could
    /// not be run at all (classified: transient when it may work later).
    func execute(code: [UInt8], packages: String?) async throws -> ExecutionReport
}
