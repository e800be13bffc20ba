import Foundation
import IPFS
import Logging
import Solana

extension WorkerConfiguration {
    /// Where configuration values come from, highest precedence first.
    package struct Sources: Sendable {
        /// Overrides given on the command line.
        package var flags: [String: String]
        /// The process environment.
        package var environment: [String: String]
        /// The `.env` file's values.
        package var dotEnv: [String: String]

        /// Creates the sources.
        package init(flags: [String: String] = [:], environment: [String: String] = [:], dotEnv: [String: String] = [:])
        {
            self.flags = flags
            self.environment = environment
            self.dotEnv = dotEnv
        }

        /// The first non-empty value of any of `names`, source by source (flags, environment, `.env`).
        func value(_ names: [Name]) -> String? {
            for layer in [flags, environment, dotEnv] {
                for name in names {
                    if let value = layer[name.rawValue]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                        return value
                    }
                }
            }
            return nil
        }
    }

    /// Loads the configuration of a worker started in `directory`: flags, then the process environment, then
    /// `directory/.env` if it exists.
    public static func load(
        flags: [String: String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory directory: String = FileManager.default.currentDirectoryPath,
        processorCount: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(ConfigurationError) -> WorkerConfiguration {
        let path = (directory as NSString).appendingPathComponent(".env")
        var dotEnv: [String: String] = [:]
        if FileManager.default.fileExists(atPath: path) {
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                dotEnv = try DotEnv.parse(text)
            } catch let error as DotEnv.ParseError {
                throw ConfigurationError(problems: [
                    .init(variable: path, value: nil, problem: error.description, fix: "Fix or remove the line.")
                ])
            } catch {
                throw ConfigurationError(problems: [
                    .init(
                        variable: path, value: nil, problem: "cannot be read as UTF-8 text (\(error))",
                        fix: "Fix its permissions or encoding, or remove it.")
                ])
            }
        }
        return try load(
            Sources(flags: flags, environment: environment, dotEnv: dotEnv), processorCount: processorCount)
    }

    /// Validates the values found in `sources`; throws one error listing every problem.
    package static func load(_ sources: Sources, processorCount: Int) throws(ConfigurationError) -> WorkerConfiguration
    {
        var reader = Reader(sources: sources)
        let rpcURL = reader.url(.rpcURL, schemes: ["http", "https"])
        let explicitWS = sources.value([.webSocketURL])
        let webSocketURL: URL?
        if explicitWS != nil {
            webSocketURL = reader.url(.webSocketURL, schemes: ["ws", "wss"])
        } else {
            webSocketURL = rpcURL.flatMap(Self.webSocketURL(derivedFrom:))
        }
        let programID = reader.programID()
        let maxCodeBytes = reader.integer(.maxCodeBytes, in: 1...(256 << 20))
        let maxOutputBytes = reader.integer(.maxOutputBytes, in: 1...(256 << 20))
        let maxConcurrentJobs = reader.integer(.maxConcurrentJobs, in: 1...1024, default: max(1, processorCount))
        let configuration = WorkerConfiguration(
            rpcURL: rpcURL ?? Self.placeholderURL,
            webSocketURL: webSocketURL ?? Self.placeholderURL,
            programID: programID ?? .systemProgram,
            keypairPath: reader.string(.keypairPath),
            pinataJWT: sources.value([.pinataJWT, .pinataJWTAlias]),
            pinataAPIURL: reader.url(.pinataAPIURL, schemes: ["http", "https"]) ?? Self.placeholderURL,
            ipfsAPIURL: sources.value([.ipfsAPIURL]) == nil
                ? nil : reader.url(.ipfsAPIURL, schemes: ["http", "https"]),
            gatewayURLs: reader.gateways(),
            pollInterval: reader.integer(.pollInterval, in: 1...86_400),
            fullScanInterval: reader.integer(.fullScanInterval, in: 0...31_536_000),
            executionTimeout: reader.integer(.executionTimeout, in: 1...86_400),
            costLamports: UInt64(reader.integer(.costLamports, in: 1...Int.max)),
            maxConcurrentJobs: maxConcurrentJobs,
            fetchConcurrency: reader.integer(.fetchConcurrency, in: 1...4096, default: 4 * maxConcurrentJobs),
            codeFetchTimeout: reader.integer(.codeFetchTimeout, in: 1...86_400),
            codeRetrievalDeadline: reader.integer(.codeRetrievalDeadline, in: 1...31_536_000),
            journalRetention: reader.integer(.journalRetention, in: 0...315_360_000),
            shard: reader.shard(),
            sandbox: reader.choice(.sandbox, SandboxMode.self) ?? .bwrap,
            stateDirectory: reader.string(.stateDirectory),
            logFormat: reader.choice(.logFormat, LogFormat.self) ?? .text,
            logLevel: reader.logLevel(),
            metricsAddress: reader.hostAndPort(),
            maxCodeBytes: maxCodeBytes,
            codeBudget: RetrievalBudget(
                maxBytes: maxCodeBytes,
                maxLinkVisits: reader.integer(
                    .codeMaxLinkVisits, in: 1...(1 << 40),
                    default: RetrievalBudget.defaultLinkVisits(maxBytes: maxCodeBytes)),
                maxBlocks: reader.integer(
                    .codeMaxBlocks, in: 1...(1 << 32), default: RetrievalBudget.defaultBlocks(maxBytes: maxCodeBytes)),
                maxDepth: reader.integer(.codeMaxDepth, in: 1...RetrievalBudget.maxDepthCeiling)),
            sandboxMemoryMB: reader.integer(.sandboxMemoryMB, in: 16...1_048_576),
            sandboxMaxProcesses: reader.integer(.sandboxMaxProcesses, in: 1...65_536),
            maxOutputBytes: maxOutputBytes,
            maxResultBytes: reader.integer(
                .maxResultBytes, in: 4_096...(1 << 30),
                default: ResultDocument.defaultMaxBytes(maxOutputBytes: maxOutputBytes)),
            shutdownGrace: reader.integer(.shutdownGrace, in: 0...86_400),
            settlementCommitment: reader.choice(.settlementCommitment, SettlementCommitment.self) ?? .confirmed,
            priorityFeeMicroLamports: UInt64(reader.integer(.priorityFeeMicroLamports, in: 0...Int.max)),
            settlementBatching: SettlementBatching(
                maxJobs: reader.integer(.settleBatchSize, in: 0...SettlementBatching.packetLimit).nonZero
                    ?? SettlementBatching.packetLimit,
                window: .milliseconds(reader.integer(.settleBatchWindow, in: 0...60_000))),
            confirmPollMilliseconds: reader.integer(.confirmPollInterval, in: 10...60_000),
            dependencies: DependencySettings(
                uvPath: sources.value([.uvPath]).flatMap { $0.isEmpty ? nil : $0 },
                indexURL: reader.url(.pythonIndexURL, schemes: ["http", "https", "file"]) ?? Self.placeholderURL,
                allowlist: sources.value([.pythonPackageAllowlist]).flatMap { $0.isEmpty ? nil : $0 },
                timeoutSeconds: reader.integer(.dependencyTimeout, in: 1...86_400),
                maxEnvironmentMB: reader.integer(.maxEnvironmentMB, in: 1...1_048_576),
                cacheMB: reader.integer(.environmentCacheMB, in: 1...16_777_216)),
            lowBalanceLamports: UInt64(reader.integer(.lowBalanceLamports, in: 0...Int.max)),
            subscribe: reader.boolean(.subscribe)
        )
        guard reader.problems.isEmpty else { throw ConfigurationError(problems: reader.problems) }
        return configuration
    }

    /// The PubSub URL a Solana node serves next to its RPC URL: `http`→`ws`, `https`→`wss`, port + 1
    /// (`http://localhost:8899` → `ws://localhost:8900`); no port stays no port.
    package static func webSocketURL(derivedFrom rpcURL: URL) -> URL? {
        guard var components = URLComponents(url: rpcURL, resolvingAgainstBaseURL: false) else { return nil }
        switch components.scheme?.lowercased() {
        case "http": components.scheme = "ws"
        case "https": components.scheme = "wss"
        default: return nil
        }
        if let port = components.port { components.port = port + 1 }
        return components.url
    }

    private static let placeholderURL = URL(string: "http://invalid")!

    /// Reads and validates one variable at a time, collecting problems.
    private struct Reader {
        let sources: Sources
        var problems: [ConfigurationProblem] = []

        init(sources: Sources) {
            self.sources = sources
        }

        func raw(_ name: Name) -> String? {
            sources.value([name]) ?? WorkerConfiguration.defaults[name]
        }

        mutating func report(_ name: Name, _ value: String?, _ problem: String, _ fix: String) {
            problems.append(.init(variable: name.rawValue, value: value, problem: problem, fix: fix))
        }

        func string(_ name: Name) -> String { raw(name) ?? "" }

        mutating func url(_ name: Name, schemes: Set<String>) -> URL? {
            guard let text = raw(name) else { return nil }
            return parseURL(text, name: name, schemes: schemes)
        }

        mutating func parseURL(_ text: String, name: Name, schemes: Set<String>) -> URL? {
            let example =
                schemes.contains("ws")
                ? "ws://localhost:8900" : name == .pythonIndexURL ? "https://pypi.org/simple" : "http://localhost:8899"
            // A file:// URL (a local index) has no host; every other URL needs one.
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), schemes.contains(scheme),
                scheme == "file" ? !url.path.isEmpty : !(url.host ?? "").isEmpty
            else {
                report(
                    name, text, "not a \(schemes.sorted().joined(separator: "/")) URL",
                    "Set \(name.rawValue) to a URL such as \(example).")
                return nil
            }
            return url
        }

        mutating func gateways() -> [URL] {
            let text = string(.gatewayURLs)
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            guard !parts.isEmpty else {
                report(
                    .gatewayURLs, text, "no gateway given", "Set IPFS_GATEWAY_URL to one or more URLs, comma-separated."
                )
                return []
            }
            return parts.compactMap { parseURL($0, name: .gatewayURLs, schemes: ["http", "https"]) }
        }

        mutating func integer(_ name: Name, in range: ClosedRange<Int>, default fallback: Int? = nil) -> Int {
            guard let text = sources.value([name]) ?? WorkerConfiguration.defaults[name] else {
                return fallback ?? range.lowerBound
            }
            let upper = range.upperBound == Int.max ? "" : " and at most \(range.upperBound)"
            guard let value = Int(text), range.contains(value) else {
                report(
                    name, text, "expected a whole number of at least \(range.lowerBound)\(upper)",
                    "Set \(name.rawValue) to such a number\(WorkerConfiguration.defaults[name].map { " (default \($0))" } ?? "")."
                )
                return fallback ?? range.lowerBound
            }
            return value
        }

        mutating func boolean(_ name: Name) -> Bool {
            let text = string(name)
            switch text.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default:
                report(name, text, "expected true or false", "Set \(name.rawValue) to true or false.")
                return true
            }
        }

        mutating func choice<Choice: RawRepresentable & CaseIterable>(_ name: Name, _: Choice.Type) -> Choice?
        where Choice.RawValue == String {
            guard let text = raw(name) else { return nil }
            guard let value = Choice(rawValue: text.lowercased()) else {
                let options = Choice.allCases.map(\.rawValue).joined(separator: " or ")
                report(name, text, "unknown value", "Set \(name.rawValue) to \(options).")
                return nil
            }
            return value
        }

        mutating func programID() -> PublicKey? {
            let text = string(.programID)
            do {
                return try PublicKey(base58: text)
            } catch {
                report(
                    .programID, text, error.description,
                    "Set PROGRAM_ID to the base58 address of the CloudMesh program (default \(WorkerConfiguration.defaults[.programID] ?? ""))."
                )
                return nil
            }
        }

        mutating func shard() -> WorkerShard? {
            guard let text = sources.value([.shard]) else { return nil }
            guard let shard = WorkerShard(parsing: text) else {
                report(
                    .shard, text, "expected k/n with 1 ≤ k ≤ n",
                    "Set WORKER_SHARD to e.g. 1/2 and 2/2 on two workers, or unset it.")
                return nil
            }
            return shard
        }

        mutating func logLevel() -> Logger.Level {
            let text = string(.logLevel)
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                let options = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
                report(.logLevel, text, "unknown level", "Set LOG_LEVEL to one of \(options).")
                return .info
            }
            return level
        }

        mutating func hostAndPort() -> HostAndPort? {
            guard let text = sources.value([.metricsAddress]) else { return nil }
            guard let address = HostAndPort(parsing: text) else {
                report(
                    .metricsAddress, text, "expected host:port", "Set METRICS_ADDR to e.g. 127.0.0.1:9090, or unset it."
                )
                return nil
            }
            return address
        }
    }
}

extension Int {
    /// The value, or nil when it is 0 (settings where 0 means "the default limit").
    fileprivate var nonZero: Int? { self == 0 ? nil : self }
}
