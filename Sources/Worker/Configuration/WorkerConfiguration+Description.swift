extension WorkerConfiguration: CustomStringConvertible {
    /// Every setting as `NAME=value`, one per line; the Pinata JWT is shown only as set or not set.
    public var description: String {
        let lines: [(Name, String)] = [
            (.rpcURL, rpcURL.absoluteString),
            (.webSocketURL, webSocketURL.absoluteString),
            (.programID, programID.base58),
            (.keypairPath, keypairPath),
            (.pinataJWT, pinataJWT == nil ? "<not set>" : "<set, redacted>"),
            (.pinataAPIURL, pinataAPIURL.absoluteString),
            (.ipfsAPIURL, ipfsAPIURL?.absoluteString ?? "<not set>"),
            (.gatewayURLs, gatewayURLs.map(\.absoluteString).joined(separator: ",")),
            (.pollInterval, "\(pollInterval)"),
            (.executionTimeout, "\(executionTimeout)"),
            (.costLamports, "\(costLamports)"),
            (.maxConcurrentJobs, "\(maxConcurrentJobs)"),
            (.shard, shard?.description ?? "<not set>"),
            (.sandbox, sandbox.rawValue),
            (.stateDirectory, stateDirectory),
            (.logFormat, logFormat.rawValue),
            (.logLevel, logLevel.rawValue),
            (.metricsAddress, metricsAddress?.description ?? "<off>"),
            (.maxCodeBytes, "\(maxCodeBytes)"),
            (.sandboxMemoryMB, "\(sandboxMemoryMB)"),
            (.sandboxMaxProcesses, "\(sandboxMaxProcesses)"),
            (.maxOutputBytes, "\(maxOutputBytes)"),
            (.shutdownGrace, "\(shutdownGrace)"),
            (.settlementCommitment, settlementCommitment.rawValue),
            (.priorityFeeMicroLamports, "\(priorityFeeMicroLamports)"),
            (.lowBalanceLamports, "\(lowBalanceLamports)"),
            (.subscribe, "\(subscribe)"),
        ]
        return lines.map { "\($0.0.rawValue)=\($0.1)" }.joined(separator: "\n")
    }
}
