import Foundation
import IPFS
import Solana
import Testing

@testable import Worker

@Suite struct ConfigurationTests {
    func load(flags: [String: String] = [:], env: [String: String] = [:], dotEnv: [String: String] = [:]) throws
        -> WorkerConfiguration
    {
        try WorkerConfiguration.load(.init(flags: flags, environment: env, dotEnv: dotEnv), processorCount: 6)
    }

    @Test func defaults() throws {
        let configuration = try load()
        #expect(configuration.rpcURL.absoluteString == "http://localhost:8899")
        #expect(configuration.webSocketURL.absoluteString == "ws://localhost:8900")
        #expect(configuration.programID.base58 == "2pbdwB29EXvsfEcigJrMwEaDx2T16zZ47aK5oGabjx7S")
        #expect(configuration.keypairPath == "./worker-keypair.json")
        #expect(configuration.pinataJWT == nil)
        #expect(configuration.pinataAPIURL.absoluteString == "https://api.pinata.cloud")
        #expect(configuration.ipfsAPIURL == nil)
        #expect(configuration.gatewayURLs.map(\.absoluteString) == ["https://gateway.pinata.cloud"])
        #expect(configuration.pollInterval == 10)
        #expect(configuration.executionTimeout == 60)
        #expect(configuration.costLamports == 1_000_000)
        #expect(configuration.maxConcurrentJobs == 6)
        #expect(configuration.shard == nil)
        #expect(configuration.sandbox == .bwrap)
        #expect(configuration.stateDirectory == "./.cloudmesh-worker")
        #expect(configuration.logFormat == .text)
        #expect(configuration.logLevel == .info)
        #expect(configuration.metricsAddress == nil)
        #expect(configuration.maxCodeBytes == 1_048_576)
        #expect(configuration.sandboxMemoryMB == 512)
        #expect(configuration.sandboxMaxProcesses == 64)
        #expect(configuration.maxOutputBytes == 1_048_576)
        #expect(configuration.shutdownGrace == 30)
        #expect(configuration.settlementCommitment == .confirmed)
        #expect(configuration.priorityFeeMicroLamports == 0)
        #expect(configuration.lowBalanceLamports == 10_000_000)
    }

    @Test func boundsOfHostileInputDefaultAndValidate() throws {
        let configuration = try load()
        #expect(configuration.fetchConcurrency == 24, "4 × MAX_CONCURRENT_JOBS")
        #expect(configuration.codeFetchTimeout == 90)
        #expect(configuration.codeRetrievalDeadline == 600)
        #expect(configuration.journalRetention == 604_800)
        #expect(configuration.maxResultBytes == 4 * 1_048_576 + 65_536)
        #expect(configuration.codeBudget.maxLinkVisits == 2 * 1_048_576 + 1_024)
        #expect(configuration.codeBudget.maxBlocks == 1_048_576 / 16 + 2_048)
        #expect(configuration.codeBudget.maxDepth == 32)
        #expect(configuration.codeBudget.maxBytes == 1_048_576)
        let small = try load(env: [
            "MAX_CODE_BYTES": "1000", "MAX_CONCURRENT_JOBS": "2", "MAX_OUTPUT_BYTES": "100",
            "CODE_MAX_LINK_VISITS": "50", "CODE_MAX_DAG_DEPTH": "4",
        ])
        #expect(small.fetchConcurrency == 8)
        #expect(small.codeBudget == RetrievalBudget(maxBytes: 1000, maxLinkVisits: 50, maxBlocks: 2_110, maxDepth: 4))
        #expect(small.maxResultBytes == 4 * 100 + 65_536)
        #expect(small.description.contains("CODE_MAX_LINK_VISITS=50"))
        #expect(throws: ConfigurationError.self) { try load(env: ["CODE_MAX_DAG_DEPTH": "0"]) }
        #expect(throws: ConfigurationError.self) { try load(env: ["FETCH_CONCURRENCY": "0"]) }
        #expect(throws: ConfigurationError.self) { try load(env: ["CODE_RETRIEVAL_DEADLINE": "soon"]) }
        #expect(throws: ConfigurationError.self) { try load(env: ["MAX_RESULT_BYTES": "10"]) }
    }

    @Test func precedenceFlagsThenEnvironmentThenDotEnv() throws {
        let configuration = try load(
            flags: ["POLL_INTERVAL": "3"],
            env: ["POLL_INTERVAL": "4", "EXECUTION_TIMEOUT": "5"],
            dotEnv: ["POLL_INTERVAL": "6", "EXECUTION_TIMEOUT": "7", "COST_LAMPORTS": "8"])
        #expect(configuration.pollInterval == 3)
        #expect(configuration.executionTimeout == 5)
        #expect(configuration.costLamports == 8)
    }

    @Test func pinataAliasAndRedaction() throws {
        let secret = "eyJhbGciOiJIUzI1NiJ9.secret-part"
        let viaAlias = try load(dotEnv: ["VITE_PINATA_JWT": secret])
        #expect(viaAlias.pinataJWT == secret)
        let both = try load(env: ["VITE_PINATA_JWT": "alias"], dotEnv: ["PINATA_JWT": "main"])
        #expect(both.pinataJWT == "alias", "a higher-precedence source wins, whichever of the two names it uses")
        #expect(!viaAlias.description.contains(secret))
        #expect(viaAlias.description.contains("PINATA_JWT=<set, redacted>"))
        #expect(try load().description.contains("PINATA_JWT=<not set>"))
    }

    @Test func webSocketURLDerivation() throws {
        func derived(_ rpc: String) throws -> String {
            try load(env: ["SOLANA_RPC_URL": rpc]).webSocketURL.absoluteString
        }
        #expect(try derived("http://127.0.0.1:8899") == "ws://127.0.0.1:8900")
        #expect(try derived("https://api.devnet.solana.com") == "wss://api.devnet.solana.com")
        #expect(try derived("https://rpc.example:443/path") == "wss://rpc.example:444/path")
        let explicit = try load(env: ["SOLANA_RPC_URL": "http://a:1", "SOLANA_WS_URL": "ws://b:9"])
        #expect(explicit.webSocketURL.absoluteString == "ws://b:9")
    }

    @Test func validationNamesVariableValueAndFix() {
        #expect {
            try load(env: [
                "SOLANA_RPC_URL": "localhost", "POLL_INTERVAL": "0", "WORKER_SHARD": "3/2",
                "PROGRAM_ID": "not-base58!", "MAX_CONCURRENT_JOBS": "x", "SANDBOX": "docker", "METRICS_ADDR": "9090",
                "LOG_LEVEL": "loud",
            ])
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            let text = error.description
            let variables = Set(error.problems.map(\.variable))
            return variables == [
                "SOLANA_RPC_URL", "POLL_INTERVAL", "WORKER_SHARD", "PROGRAM_ID", "MAX_CONCURRENT_JOBS", "SANDBOX",
                "METRICS_ADDR", "LOG_LEVEL",
            ]
                && text.contains("SOLANA_RPC_URL=\"localhost\" is not valid")
                && text.contains("POLL_INTERVAL=\"0\" is not valid: expected a whole number of at least 1")
                && text.contains("Set WORKER_SHARD to e.g. 1/2")
                && text.contains("Set SANDBOX to bwrap or none")
        }
    }

    @Test func shardsAndMetricsAddress() throws {
        let configuration = try load(env: ["WORKER_SHARD": "2/3", "METRICS_ADDR": "127.0.0.1:9090"])
        #expect(configuration.shard == WorkerShard(index: 2, count: 3))
        #expect(configuration.metricsAddress == HostAndPort(host: "127.0.0.1", port: 9090))
        #expect(HostAndPort(parsing: "[::1]:0") == HostAndPort(host: "::1", port: 0))
        #expect(WorkerShard(parsing: "0/2") == nil)
        #expect(WorkerShard(parsing: "1/0") == nil)
        #expect(WorkerShard(parsing: "1 / 1") == WorkerShard(index: 1, count: 1))
    }

    @Test func loadsDotEnvFromWorkingDirectory() throws {
        let directory = NSTemporaryDirectory() + "config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "export POLL_INTERVAL=7\nVITE_PINATA_JWT='abc'\n".write(
            toFile: directory + "/.env", atomically: true, encoding: .utf8)
        let configuration = try WorkerConfiguration.load(
            flags: [:], environment: ["EXECUTION_TIMEOUT": "9"], workingDirectory: directory, processorCount: 2)
        #expect(configuration.pollInterval == 7)
        #expect(configuration.executionTimeout == 9)
        #expect(configuration.pinataJWT == "abc")
        try "NOT A LINE\n".write(toFile: directory + "/.env", atomically: true, encoding: .utf8)
        #expect(throws: ConfigurationError.self) {
            try WorkerConfiguration.load(flags: [:], environment: [:], workingDirectory: directory, processorCount: 2)
        }
    }
}

@Suite struct DotEnvTests {
    @Test func parsesTheUsualForms() throws {
        let text = """
            # comment
            SOLANA_RPC_URL=http://localhost:8899
            export WORKER_KEYPAIR_PATH = ./worker-keypair.json
              EMPTY=
            UNQUOTED=value with spaces # trailing comment
            HASH=abc#not-a-comment
            SINGLE='literal \\n $HOME # kept'
            DOUBLE="line\\nnext \\"quoted\\" \\\\ done" # comment
            CRLF=yes\r
            SOLANA_RPC_URL=http://override:1
            """
        let values = try DotEnv.parse(text)
        #expect(values["SOLANA_RPC_URL"] == "http://override:1")
        #expect(values["WORKER_KEYPAIR_PATH"] == "./worker-keypair.json")
        #expect(values["EMPTY"] == "")
        #expect(values["UNQUOTED"] == "value with spaces")
        #expect(values["HASH"] == "abc#not-a-comment")
        #expect(values["SINGLE"] == "literal \\n $HOME # kept")
        #expect(values["DOUBLE"] == "line\nnext \"quoted\" \\ done")
        #expect(values["CRLF"] == "yes")
        #expect(values.count == 8)
    }

    @Test func reportsBadLinesWithoutTheirValues() {
        #expect(throws: DotEnv.ParseError(line: 2, problem: "expected KEY=VALUE")) {
            try DotEnv.parse("A=1\nsecret-token")
        }
        #expect(throws: DotEnv.ParseError(line: 1, problem: "missing closing \" quote")) {
            try DotEnv.parse("A=\"open")
        }
        #expect(throws: DotEnv.ParseError(line: 1, problem: "'1A' is not a valid variable name")) {
            try DotEnv.parse("1A=x")
        }
        #expect(throws: DotEnv.ParseError(line: 1, problem: "unexpected text after the closing quote")) {
            try DotEnv.parse("A='x' y")
        }
    }
}
