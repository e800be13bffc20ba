import Foundation
import Retry
import Sandbox
import Solana

/// The production ``CodeExecutor``: runs job code through the Sandbox module's runner (bubblewrap, resource
/// limits, wall-time limit, capped output), with the limits it was created with.
package struct SandboxCodeExecutor: CodeExecutor {
    let runner: any JobCodeRunner

    /// Creates an executor over `runner`.
    package init(runner: any JobCodeRunner) {
        self.runner = runner
    }

    /// Runs `code`; a failing or timed-out program is a report. A sandbox that cannot start the job throws a
    /// transient error (the job is retried later, never failed for the worker's own trouble).
    package func execute(code: [UInt8], packages: String?) async throws -> ExecutionReport {
        let outcome: ExecutionOutcome
        do {
            outcome = try await runner.run(code: code, packages: packages)
        } catch let error as SandboxError {
            throw StageError.transient("the sandbox could not run the job: \(error)")
        }
        return ExecutionReport(
            stdout: outcome.stdout, stderr: outcome.stderr, returnCode: Int(outcome.returncode),
            timedOut: outcome.timedOut, wallTime: outcome.wallTime.inSeconds,
            cpuTime: outcome.cpuTime.map(\.inSeconds) ?? 0, stdoutTruncated: outcome.stdoutTruncated,
            stderrTruncated: outcome.stderrTruncated, peakMemoryBytes: outcome.peakMemoryBytes)
    }
}
