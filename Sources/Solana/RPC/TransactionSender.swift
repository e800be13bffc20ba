import Logging

/// Sends a transaction and follows it until it reaches a commitment, fails, or expires.
///
/// It signs with a fresh blockhash, reports the signature and `lastValidBlockHeight` to the caller before the
/// transaction leaves the process, sends it, rebroadcasts it every `rebroadcastInterval` until it lands, and
/// polls `getSignatureStatuses`. Transient RPC failures are retried until the expiry is proven; a transaction is
/// reported expired only when the block height has passed `lastValidBlockHeight` and a history search does
/// not find it.
public struct TransactionSender: Sendable {
    /// Signs a transaction for the given blockhash, returning its signature and wire bytes.
    public typealias Signer = @Sendable (Blockhash) throws -> (signature: Signature, wire: [UInt8])
    /// Records a submission durably; called before the transaction is first sent. Throwing stops the send.
    public typealias SubmissionHandler = @Sendable (TransactionSubmission) async throws -> Void

    /// How the sender behaves.
    public struct Options: Sendable {
        /// The commitment to wait for (also used for the blockhash and the expiry block height).
        public var commitment: Commitment
        /// Resend the transaction this often until it lands.
        public var rebroadcastInterval: Duration
        /// Ask for the signature's status this often (the first time this long after the first send: nothing
        /// lands sooner).
        public var pollInterval: Duration
        /// Ask for the block height, to tell whether a transaction that has not landed expired, at most this
        /// often (expiry takes about a minute of blocks).
        public var expiryCheckInterval: Duration
        /// Skip the preflight simulation on the first send (rebroadcasts always skip it).
        public var skipPreflight: Bool
        /// The commitment of the preflight simulation (`nil`: `commitment`).
        public var preflightCommitment: Commitment?
        /// The node's own rebroadcast count (`sendTransaction` `maxRetries`; `nil`: the node's default).
        public var maxRetries: Int?
        /// Retries for fetching the blockhash before anything is signed.
        public var blockhashRetry: RetryPolicy

        /// Creates options.
        public init(
            commitment: Commitment = .confirmed,
            rebroadcastInterval: Duration = .seconds(2),
            pollInterval: Duration = .milliseconds(500),
            expiryCheckInterval: Duration = .seconds(2),
            skipPreflight: Bool = false,
            preflightCommitment: Commitment? = nil,
            maxRetries: Int? = nil,
            blockhashRetry: RetryPolicy = RetryPolicy(maxAttempts: 6)
        ) {
            self.commitment = commitment
            self.rebroadcastInterval = rebroadcastInterval
            self.pollInterval = pollInterval
            self.expiryCheckInterval = expiryCheckInterval
            self.skipPreflight = skipPreflight
            self.preflightCommitment = preflightCommitment
            self.maxRetries = maxRetries
            self.blockhashRetry = blockhashRetry
        }
    }

    /// The client used for every call.
    public let client: SolanaRPCClient
    /// The sender's options.
    public let options: Options
    private let logger: Logger

    /// Creates a sender.
    public init(client: SolanaRPCClient, options: Options = .init(), logger: Logger = Logger(label: "solana.sender")) {
        self.client = client
        self.options = options
        self.logger = logger
    }

    /// Gets a fresh blockhash, signs with `sign`, reports the submission to `onSubmit`, then sends and confirms.
    ///
    /// Throws the signer's or handler's error (nothing was sent), a non-transient `SolanaRPCError` (the node
    /// refuses the call itself, e.g. malformed bytes), or `CancellationError`.
    public func send(sign: Signer, onSubmit: SubmissionHandler? = nil) async throws -> SendOutcome {
        let latest = try await options.blockhashRetry.run { () async throws(SolanaRPCError) -> LatestBlockhash in
            try await client.getLatestBlockhash(commitment: options.commitment)
        }
        let signed = try sign(latest.blockhash)
        let submission = TransactionSubmission(
            signature: signed.signature, lastValidBlockHeight: latest.lastValidBlockHeight, wire: signed.wire)
        try await onSubmit?(submission)
        return try await follow(submission, resuming: false)
    }

    /// Resumes an already-signed transaction (e.g. recorded before a crash): checks whether it landed, and if
    /// not, rebroadcasts and confirms it as `send` does, with the same signature.
    public func resume(_ submission: TransactionSubmission) async throws -> SendOutcome {
        try await follow(submission, resuming: true)
    }

    private func follow(_ submission: TransactionSubmission, resuming: Bool) async throws -> SendOutcome {
        let clock = ContinuousClock()
        let signature = submission.signature
        var nextBroadcast = clock.now
        var nextExpiryCheck = clock.now
        var preflight = !options.skipPreflight && !resuming
        var landed = false
        if resuming, let outcome = try await checkStatus(signature, searchHistory: true, landed: &landed) {
            return outcome
        }
        while true {
            try Task.checkCancellation()
            if !landed && clock.now >= nextBroadcast {
                if let outcome = try await broadcast(submission, preflight: &preflight) { return outcome }
                nextBroadcast = clock.now + options.rebroadcastInterval
            }
            try await Task.sleep(for: options.pollInterval)
            if let outcome = try await checkStatus(signature, searchHistory: false, landed: &landed) { return outcome }
            if !landed && clock.now >= nextExpiryCheck {
                if let outcome = try await checkExpiry(submission, landed: &landed) { return outcome }
                nextExpiryCheck = clock.now + options.expiryCheckInterval
            }
        }
    }

    /// Sends the wire bytes once. Returns an outcome only for a definitive preflight failure.
    private func broadcast(_ submission: TransactionSubmission, preflight: inout Bool) async throws -> SendOutcome? {
        let sendOptions = SendTransactionOptions(
            skipPreflight: !preflight, preflightCommitment: options.preflightCommitment ?? options.commitment,
            maxRetries: options.maxRetries)
        do {
            _ = try await client.sendTransaction(submission.wire, options: sendOptions)
            preflight = false
        } catch {
            if case .preflightFailure(let failure) = error {
                if failure.error.isAlreadyProcessed {
                    preflight = false
                } else if failure.error.isBlockhashNotFound {
                    // The node may lag behind the one that gave the blockhash; expiry is decided by block height.
                    logger.notice(
                        "preflight did not find the blockhash; will retry",
                        metadata: ["signature": "\(submission.signature)"])
                } else {
                    return .failed(signature: submission.signature, error: failure.error, logs: failure.logs, slot: nil)
                }
            } else {
                guard error.isTransient else { throw error }
                logger.warning(
                    "sending the transaction failed; will retry",
                    metadata: ["signature": "\(submission.signature)", "error": "\(error)"])
            }
        }
        return nil
    }

    /// Polls the signature's status. Returns an outcome once it reached the commitment.
    private func checkStatus(_ signature: Signature, searchHistory: Bool, landed: inout Bool) async throws
        -> SendOutcome?
    {
        let status: SignatureStatus?
        do {
            status =
                try await client.getSignatureStatuses([signature], searchTransactionHistory: searchHistory).first ?? nil
        } catch {
            guard error.isTransient else { throw error }
            logger.warning(
                "signature status check failed", metadata: ["signature": "\(signature)", "error": "\(error)"])
            return nil
        }
        guard let status else {
            landed = false
            return nil
        }
        landed = true
        guard status.satisfies(options.commitment) else { return nil }
        guard let error = status.err else { return .confirmed(signature: signature, slot: status.slot) }
        return .failed(signature: signature, error: error, logs: await logs(of: signature), slot: status.slot)
    }

    /// Decides expiry: the block height passed `lastValidBlockHeight` and a history search does not find it.
    private func checkExpiry(_ submission: TransactionSubmission, landed: inout Bool) async throws -> SendOutcome? {
        let height: UInt64
        do {
            height = try await client.getBlockHeight(commitment: options.commitment)
        } catch {
            guard error.isTransient else { throw error }
            logger.warning(
                "block height check failed", metadata: ["signature": "\(submission.signature)", "error": "\(error)"])
            return nil
        }
        guard height > submission.lastValidBlockHeight else { return nil }
        if let outcome = try await checkStatus(submission.signature, searchHistory: true, landed: &landed) {
            return outcome
        }
        guard !landed else { return nil }
        return .expired(signature: submission.signature, lastValidBlockHeight: submission.lastValidBlockHeight)
    }

    /// The program logs of a landed transaction; empty when the node cannot provide them.
    private func logs(of signature: Signature) async -> [String] {
        do {
            return try await client.getTransaction(signature, commitment: options.commitment)?.meta?.logMessages ?? []
        } catch {
            logger.notice("could not fetch the failed transaction's logs", metadata: ["error": "\(error)"])
            return []
        }
    }
}
