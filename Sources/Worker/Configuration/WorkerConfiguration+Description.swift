import Foundation
import Redaction

extension WorkerConfiguration: CustomStringConvertible {
    /// Every setting as `NAME=value`, one per line; the Pinata JWT is shown only as set or not set, and the URLs
    /// without their credentials (user info, secret parameters, a provider's key segment are shown as
    /// `REDACTED`; see `CredentialRedaction`).
    public var description: String {
        func shown(_ url: URL) -> String { CredentialRedaction.redact(url: url.absoluteString) }
        let lines: [(Name, String)] = [
            (.rpcURL, shown(rpcURL)),
            (.webSocketURL, shown(webSocketURL)),
            (.programID, programID.base58),
            (.keypairPath, keypairPath),
            (.pinataJWT, pinataJWT == nil ? "<not set>" : "<set, redacted>"),
            (.pinataAPIURL, shown(pinataAPIURL)),
            (.ipfsAPIURL, ipfsAPIURL.map(shown) ?? "<not set>"),
            (.gatewayURLs, gatewayURLs.map(shown).joined(separator: ",")),
            (.pollInterval, "\(pollInterval)"),
            (.fullScanInterval, "\(fullScanInterval)"),
            (.executionTimeout, "\(executionTimeout)"),
            (.costLamports, "\(costLamports)"),
            (.maxConcurrentJobs, "\(maxConcurrentJobs)"),
            (.fetchConcurrency, "\(fetchConcurrency)"),
            (.codeFetchTimeout, "\(codeFetchTimeout)"),
            (.codeRetrievalDeadline, "\(codeRetrievalDeadline)"),
            (.shard, shard?.description ?? "<not set>"),
            (.sandbox, sandbox.rawValue),
            (.stateDirectory, stateDirectory),
            (.journalRetention, "\(journalRetention)"),
            (.logFormat, logFormat.rawValue),
            (.logLevel, logLevel.rawValue),
            (.metricsAddress, metricsAddress?.description ?? "<off>"),
            (.maxCodeBytes, "\(maxCodeBytes)"),
            (.codeMaxLinkVisits, "\(codeBudget.maxLinkVisits)"),
            (.codeMaxBlocks, "\(codeBudget.maxBlocks)"),
            (.codeMaxDepth, "\(codeBudget.maxDepth)"),
            (.sandboxMemoryMB, "\(sandboxMemoryMB)"),
            (.sandboxMaxProcesses, "\(sandboxMaxProcesses)"),
            (.maxOutputBytes, "\(maxOutputBytes)"),
            (.maxResultBytes, "\(maxResultBytes)"),
            (.shutdownGrace, "\(shutdownGrace)"),
            (.settlementCommitment, settlementCommitment.rawValue),
            (.priorityFeeMicroLamports, "\(priorityFeeMicroLamports)"),
            (
                .settleBatchSize,
                settlementBatching.maxJobs == SettlementBatching.packetLimit
                    ? "0 (as many as fit)" : "\(settlementBatching.maxJobs)"
            ),
            (.settleBatchWindow, "\(settlementBatching.windowMilliseconds)"),
            (.confirmPollInterval, "\(confirmPollMilliseconds)"),
            (.uvPath, dependencies.uvPath ?? "<the one set-up installed, then PATH>"),
            (.pythonIndexURL, shown(dependencies.indexURL)),
            (.pythonPackageAllowlist, dependencies.allowlist ?? "<any>"),
            (.dependencyTimeout, "\(dependencies.timeoutSeconds)"),
            (.maxEnvironmentMB, "\(dependencies.maxEnvironmentMB)"),
            (.environmentCacheMB, "\(dependencies.cacheMB)"),
            (.lowBalanceLamports, "\(lowBalanceLamports)"),
            (.subscribe, "\(subscribe)"),
        ]
        return lines.map { "\($0.0.rawValue)=\($0.1)" }.joined(separator: "\n")
    }
}
