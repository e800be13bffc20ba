import Foundation
import Logging
import Sandbox

/// Builds the sandbox runner the configuration asks for and checks, with a probe job, what it isolates.
package enum SandboxSetup {
    /// Settings of the Sandbox module that have no `WorkerConfiguration` counterpart; read from the environment.
    package static let passthroughSettings = [
        "SANDBOX_PYTHON", "SANDBOX_MAX_FILE_MB", "SANDBOX_MAX_OPEN_FILES", "SANDBOX_CPU_SECONDS",
        "SANDBOX_TMPFS_MB",
        "SANDBOX_UID_BASE", "SANDBOX_CGROUPS",
    ]

    /// The sandbox configuration of `configuration`, plus the ``passthroughSettings`` found in `environment`.
    package static func sandboxConfiguration(
        _ configuration: WorkerConfiguration, environment: [String: String]
    ) throws(SandboxError) -> SandboxConfiguration {
        var settings = environment.filter { passthroughSettings.contains($0.key) }
        settings["EXECUTION_TIMEOUT"] = String(configuration.executionTimeout)
        var sandbox = try SandboxConfiguration(settings: settings)
        sandbox.mode = configuration.sandbox == .bwrap ? .bubblewrap : .none
        sandbox.limits.memoryBytes = UInt64(configuration.sandboxMemoryMB) << 20
        sandbox.limits.processes = UInt64(configuration.sandboxMaxProcesses)
        sandbox.limits.stdoutCapBytes = configuration.maxOutputBytes
        sandbox.limits.stderrCapBytes = configuration.maxOutputBytes
        return sandbox
    }

    /// Creates the runner and probes it: logs what is isolated, warns loudly without isolation, and refuses
    /// (throws) when bubblewrap is requested but missing or not working, or when one of `sensitivePaths`
    /// (the keypair, the state directory, env files), the directory holding it or the working directory's
    /// `.env` is visible inside the sandbox and not listed in `SANDBOX_ALLOW_VISIBLE`.
    package static func start(
        _ configuration: SandboxConfiguration, environment: [String: String], sensitivePaths: [String],
        logger: Logger
    ) async throws(SandboxError) -> SandboxRunner {
        let runner = try SandboxRunner(configuration: configuration, logger: logger)
        logger.info("sandbox", metadata: ["isolation": "\(runner.isolationDescription)"])
        if !runner.isIsolated {
            logger.critical(
                """
                SANDBOX=none: JOB CODE RUNS WITHOUT ISOLATION. It can read the worker's keypair, the Pinata JWT and \
                every file this user can, and reach the network. Use it only for code you trust; set SANDBOX=bwrap \
                (apt-get install bubblewrap) for untrusted jobs.
                """)
        }
        let protected = VisibleSecrets.protectedPaths(
            secrets: sensitivePaths, workingDirectory: FileManager.default.currentDirectoryPath)
        let allowed = VisibleSecrets.allowedPaths(setting: environment["SANDBOX_ALLOW_VISIBLE"])
        let report: SandboxProbeReport
        do {
            report = try await runner.probe(sensitivePaths: protected)
        } catch let error as SandboxError {
            throw error
        } catch {
            throw .probeFailed("\(error)")
        }
        if runner.isIsolated {
            let accepted = report.visibleSensitivePaths.filter { protected.contains($0) && allowed.contains($0) }
            if !accepted.isEmpty {
                logger.warning(
                    "SANDBOX_ALLOW_VISIBLE: job code can read these worker files",
                    metadata: ["paths": "\(accepted.sorted().joined(separator: ","))"])
            }
            let refused = VisibleSecrets.refused(report: report, protected: protected, allowed: allowed)
            if !refused.isEmpty { throw .secretsVisible(refused) }
        }
        if runner.isIsolated && !report.fullyIsolated {
            logger.warning(
                "sandbox probe: not everything is isolated", metadata: ["probe": "\(report.summary)"])
        } else {
            logger.info("sandbox probe", metadata: ["probe": "\(report.summary)"])
        }
        return runner
    }
}
