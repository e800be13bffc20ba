import Foundation
import IPFS
import Logging

/// The production ``CodeFetcher``: verified retrieval from the configured IPFS gateways, tried in turn.
///
/// Classifies failures for the pipeline: a code CID that cannot be parsed or does not name a file, code larger
/// than the limit at every gateway, and content that fails verification at every gateway on
/// `verificationAttempts` consecutive attempts are the job's own fault (``FailureKind/invalidJobInput``);
/// everything else (gateways down, slow, 404, 429/5xx) is transient.
public struct GatewayCodeFetcher: CodeFetcher {
    let gateways: [String]
    let requestTimeout: Duration
    let verificationAttempts: Int
    let verificationRetryDelay: Duration
    let crash: TestCrashInjection
    let logger: Logger

    /// Creates a fetcher over `gateways` (base URLs).
    public init(
        gateways: [String], requestTimeout: Duration = .seconds(30), verificationAttempts: Int = 3,
        verificationRetryDelay: Duration = .seconds(1), crash: TestCrashInjection = .disabled,
        logger: Logger
    ) {
        self.gateways = gateways
        self.requestTimeout = requestTimeout
        self.verificationAttempts = max(1, verificationAttempts)
        self.verificationRetryDelay = verificationRetryDelay
        self.crash = crash
        self.logger = logger
    }

    /// The verified bytes behind `cid`, at most `maxBytes` long.
    public func fetchCode(cid: String, maxBytes: Int) async throws -> [UInt8] {
        let fetcher = GatewayFetcher(
            gateways: gateways, maxBytes: maxBytes, requestTimeout: requestTimeout, logger: logger)
        var attempt = 1
        while true {
            do throws(RetrievalError) {
                let code = try await fetcher.fetch(cid: cid)
                crash.reached(.afterFetch)
                return code
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
                    "the code CID \(parsed) names \(parsed.codec.name) data, not a file"))
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
        case .noGateways, .allGatewaysFailed:
            return .fail(StageError.transient("fetching the code: \(error)"))
        }
    }
}
