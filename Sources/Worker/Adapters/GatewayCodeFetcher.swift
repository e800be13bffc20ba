import AsyncHTTPClient
import Foundation
import IPFS
import Logging

/// The production ``CodeFetcher``: verified retrieval from the configured IPFS gateways, tried in turn.
///
/// Classifies failures for the pipeline: a code CID that cannot be parsed or does not name a file, a CID using a
/// hash function or codec this worker cannot verify, a DAG over the ``IPFS/RetrievalBudget`` (decided at once:
/// the DAG under a CID is fixed by its hash), inline (identity) content that is not a valid file, code larger
/// than the limit at every gateway, and content that fails verification at every gateway on
/// `verificationAttempts` consecutive attempts are the job's own fault (``FailureKind/invalidJobInput``);
/// code that gateways answer about without serving it (404, 429/5xx after retries, timeouts) may never turn up
/// (``FailureKind/inputUnavailable``: retried until `CODE_RETRIEVAL_DEADLINE`); gateways that are all
/// unreachable are the worker's own trouble (``FailureKind/transient``: retried without a limit).
package struct GatewayCodeFetcher: CodeFetcher {
    let gateways: [String]
    let requestTimeout: Duration
    let verificationAttempts: Int
    let verificationRetryDelay: Duration
    let budget: RetrievalBudget?
    let httpClient: HTTPClient
    let logger: Logger

    /// Creates a fetcher over `gateways` (base URLs).
    /// - Parameter budget: limits on verifying one code DAG (link visits, distinct blocks, depth, bytes). `nil`
    ///   uses `RetrievalBudget(maxBytes:)` with each call's `maxBytes`; a given budget has its byte cap lowered
    ///   to a call's `maxBytes` when that is smaller.
    /// - Parameter httpClient: the client for gateway requests. Its per-host connection limit must exceed the
    ///   fetches in flight (``GatewayCodeFetcher/makeHTTPClient(fetchesInFlight:)``): held requests each keep a
    ///   connection, and a request waiting for a connection waits behind them.
    package init(
        gateways: [String], requestTimeout: Duration = .seconds(30), verificationAttempts: Int = 3,
        verificationRetryDelay: Duration = .seconds(1), budget: RetrievalBudget? = nil,
        httpClient: HTTPClient = .shared,
        logger: Logger
    ) {
        self.httpClient = httpClient
        self.gateways = gateways
        self.requestTimeout = requestTimeout
        self.verificationAttempts = max(1, verificationAttempts)
        self.verificationRetryDelay = verificationRetryDelay
        self.budget = budget
        self.logger = logger
    }

    /// A client for gateway requests whose per-host connection limit leaves room for `fetchesInFlight`
    /// concurrent fetches plus a few (the shared client allows 8 per host: eight held requests would hold every
    /// connection to a gateway). Shut it down when the worker stops.
    package static func makeHTTPClient(fetchesInFlight: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: fetchesInFlight + 4)
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        // A gateway that refuses connections is given up on after this, not after the whole request timeout:
        // the next gateway is tried, and gateways that are all unreachable are the worker's own trouble.
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// The verified bytes behind `cid`, at most `maxBytes` long.
    package func fetchCode(cid: String, maxBytes: Int) async throws -> [UInt8] {
        let budget = budget?.capping(bytes: maxBytes) ?? RetrievalBudget(maxBytes: maxBytes)
        let fetcher = GatewayFetcher(
            gateways: gateways, budget: budget, requestTimeout: requestTimeout, httpClient: httpClient, logger: logger)
        var attempt = 1
        while true {
            do throws(RetrievalError) {
                return try await fetcher.fetch(cid: cid)
            } catch {
                switch Self.classify(error, cid: cid, maxBytes: maxBytes) {
                case .retryVerification:
                    logger.warning(
                        "the code failed verification at every gateway; asking again",
                        metadata: [
                            "attempt": "\(attempt)", "of": "\(verificationAttempts)", "error": "\(error)",
                        ])
                    guard attempt < verificationAttempts else {
                        throw StageError.invalidJobInput(
                            "the content served for the code CID \(cid) failed verification at every gateway on "
                                + "\(attempt) attempts (\(error))")
                    }
                    attempt += 1
                    try await Task.sleep(for: verificationRetryDelay)
                case .fail(let failure):
                    throw failure
                }
            }
        }
    }

    private enum Decision {
        case retryVerification
        case fail(any Error)
    }

    private static func classify(_ error: RetrievalError, cid: String, maxBytes: Int) -> Decision {
        switch error {
        case .invalidCID(_, let problem):
            return .fail(
                StageError.invalidJobInput(
                    "the code CID \"\(cid.prefix(120))\" is not a valid CID: \(problem)"))
        case .unsupportedCodec(let parsed):
            return .fail(
                StageError.invalidJobInput(
                    "the code CID \(parsed) names \(parsed.codec.name) data, not a file (supported: raw, dag-pb)"))
        case .unsupported(let what):
            return .fail(
                StageError.invalidJobInput(
                    "the code CID \"\(cid.prefix(120))\" cannot be used: \(what); re-add the code with a "
                        + "standard `ipfs add`"))
        case .budgetExceeded(let parsed, let breach):
            return .fail(StageError.invalidJobInput(Self.budgetMessage(breach, cid: parsed)))
        case .invalidInlineContent(let parsed, let problem):
            return .fail(
                StageError.invalidJobInput(
                    "the code CID \(parsed) carries its content inline (identity hash), and that content is not "
                        + "a valid file: \(problem)"))
        case .allGatewaysFailed(_, let failures) where error.isPermanent:
            let tooLarge = failures.allSatisfy { if case .tooLarge = $0 { true } else { false } }
            if tooLarge {
                return .fail(
                    StageError.invalidJobInput(
                        "the code behind \(cid) is larger than the \(maxBytes)-byte limit (MAX_CODE_BYTES)"))
            }
            return .retryVerification
        case .cancelled:
            return .fail(CancellationError())
        case .allGatewaysFailed(_, let failures)
        where !failures.isEmpty && !failures.allSatisfy({ if case .unreachable = $0 { true } else { false } }):
            // A gateway answered (or timed out) about this CID: the code may never turn up. Retried until
            // CODE_RETRIEVAL_DEADLINE, then answered; gateways that are all unreachable are our own trouble.
            return .fail(StageError.inputUnavailable("fetching the code: \(error)"))
        case .noGateways, .allGatewaysFailed:
            return .fail(StageError.transient("fetching the code: \(error)"))
        }
    }

    /// What the job owner is told when the code's DAG exceeds the retrieval budget.
    private static func budgetMessage(_ breach: RetrievalBudget.Breach, cid: CID) -> String {
        let advice = "; re-add the code with a standard `ipfs add`"
        switch breach.limit {
        case .bytes:
            return "the code behind \(cid) is larger than the \(breach.allowed)-byte limit (MAX_CODE_BYTES): its "
                + "DAG holds or declares \(breach.seen) bytes"
        case .linkVisits:
            return "the code behind \(cid) cannot be verified within the worker's limits: its DAG needs more than "
                + "\(breach.allowed) link visits (it links to the same blocks over and over)" + advice
        case .blocks:
            return "the code behind \(cid) cannot be verified within the worker's limits: its DAG has more than "
                + "\(breach.allowed) distinct blocks" + advice
        case .depth:
            return "the code behind \(cid) cannot be verified within the worker's limits: its DAG is more than "
                + "\(breach.allowed) levels deep" + advice
        }
    }
}
