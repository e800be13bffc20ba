/// Typed Solana RPC methods. A `nil` commitment means `configuration.defaultCommitment`.
extension SolanaRPCClient {
    private func level(_ commitment: Commitment?) -> Commitment {
        commitment ?? configuration.defaultCommitment
    }

    private func signature(_ text: String, method: String) throws(SolanaRPCError) -> Signature {
        do {
            return try Signature(base58: text)
        } catch {
            throw .undecodableResponse(url: displayURL, method: method, reason: error.description, excerpt: text)
        }
    }

    /// The node's software version.
    public func getVersion() async throws(SolanaRPCError) -> NodeVersion {
        try await send(.getVersion())
    }

    /// Succeeds when the node is healthy; throws `.rpc` with code -32005 (transient) when it is behind.
    public func getHealth() async throws(SolanaRPCError) {
        _ = try await send(.getHealth())
    }

    /// The slot the node has reached at `commitment`.
    public func getSlot(commitment: Commitment? = nil) async throws(SolanaRPCError) -> UInt64 {
        try await send(.getSlot(commitment: level(commitment)))
    }

    /// The block height the node has reached at `commitment`.
    public func getBlockHeight(commitment: Commitment? = nil) async throws(SolanaRPCError) -> UInt64 {
        try await send(.getBlockHeight(commitment: level(commitment)))
    }

    /// A recent blockhash, the last block height a transaction using it can land at, and the context slot.
    public func getLatestBlockhash(commitment: Commitment? = nil) async throws(SolanaRPCError) -> LatestBlockhash {
        try await send(.getLatestBlockhash(commitment: level(commitment)))
    }

    /// Whether `blockhash` can still be used in a transaction.
    public func isBlockhashValid(_ blockhash: Blockhash, commitment: Commitment? = nil) async throws(SolanaRPCError)
        -> Bool
    {
        try await send(.isBlockhashValid(blockhash, commitment: level(commitment))).value
    }

    /// The balance of `account`, in lamports (0 when it does not exist).
    public func getBalance(_ account: PublicKey, commitment: Commitment? = nil) async throws(SolanaRPCError) -> UInt64 {
        try await send(.getBalance(account, commitment: level(commitment))).value
    }

    /// The account at `account`, or `nil` when it does not exist.
    public func getAccountInfo(
        _ account: PublicKey, commitment: Commitment? = nil, dataSlice: DataSlice? = nil
    ) async throws(SolanaRPCError) -> AccountInfo? {
        try await send(.getAccountInfo(account, commitment: level(commitment), dataSlice: dataSlice)).value
    }

    /// The accounts at `accounts`, in order, `nil` for each that does not exist.
    public func getMultipleAccounts(
        _ accounts: [PublicKey], commitment: Commitment? = nil, dataSlice: DataSlice? = nil
    ) async throws(SolanaRPCError) -> [AccountInfo?] {
        let values = try await send(.getMultipleAccounts(accounts, commitment: level(commitment), dataSlice: dataSlice))
            .value
        guard values.count == accounts.count else {
            throw .undecodableResponse(
                url: displayURL, method: "getMultipleAccounts",
                reason: "asked for \(accounts.count) accounts, got \(values.count)", excerpt: "")
        }
        return values
    }

    /// The accounts `program` owns that pass every filter.
    public func getProgramAccounts(
        _ program: PublicKey, filters: [AccountFilter] = [], commitment: Commitment? = nil, dataSlice: DataSlice? = nil
    ) async throws(SolanaRPCError) -> [ProgramAccount] {
        try await send(
            .getProgramAccounts(program, filters: filters, commitment: level(commitment), dataSlice: dataSlice))
    }

    /// The accounts `program` owns that pass every filter, with the slot they were read at.
    public func getProgramAccountsWithContext(
        _ program: PublicKey, filters: [AccountFilter] = [], commitment: Commitment? = nil, dataSlice: DataSlice? = nil
    ) async throws(SolanaRPCError) -> ContextResult<[ProgramAccount]> {
        try await send(
            .getProgramAccountsWithContext(
                program, filters: filters, commitment: level(commitment), dataSlice: dataSlice))
    }

    /// The lamports an account of `dataLength` bytes needs to be rent exempt.
    public func getMinimumBalanceForRentExemption(dataLength: Int, commitment: Commitment? = nil)
        async throws(SolanaRPCError) -> UInt64
    {
        try await send(.getMinimumBalanceForRentExemption(dataLength: dataLength, commitment: level(commitment)))
    }

    /// The fee for a serialized message, or `nil` when its blockhash has expired.
    public func getFeeForMessage(_ message: [UInt8], commitment: Commitment? = nil) async throws(SolanaRPCError)
        -> UInt64?
    {
        try await send(.getFeeForMessage(message, commitment: level(commitment))).value
    }

    /// Asks a test cluster's faucet for lamports; returns the airdrop transaction's signature.
    public func requestAirdrop(to account: PublicKey, lamports: UInt64, commitment: Commitment? = nil)
        async throws(SolanaRPCError) -> Signature
    {
        try signature(
            try await send(.requestAirdrop(to: account, lamports: lamports, commitment: level(commitment))),
            method: "requestAirdrop")
    }

    /// Submits a signed transaction (its wire bytes) and returns its signature. A failed preflight
    /// simulation throws `.preflightFailure` with the decoded error and logs.
    public func sendTransaction(_ wire: [UInt8], options: SendTransactionOptions = .init())
        async throws(SolanaRPCError) -> Signature
    {
        try signature(try await send(.sendTransaction(wire, options: options)), method: "sendTransaction")
    }

    /// Simulates a transaction (its wire bytes) without submitting it.
    public func simulateTransaction(_ wire: [UInt8], options: SimulateTransactionOptions = .init())
        async throws(SolanaRPCError) -> SimulationResult
    {
        try await send(.simulateTransaction(wire, options: options)).value
    }

    /// The statuses of `signatures`, in order, `nil` for each the node does not know.
    public func getSignatureStatuses(_ signatures: [Signature], searchTransactionHistory: Bool = false)
        async throws(SolanaRPCError) -> [SignatureStatus?]
    {
        let values = try await send(
            .getSignatureStatuses(signatures, searchTransactionHistory: searchTransactionHistory)
        ).value
        guard values.count == signatures.count else {
            throw .undecodableResponse(
                url: displayURL, method: "getSignatureStatuses",
                reason: "asked for \(signatures.count) statuses, got \(values.count)", excerpt: "")
        }
        return values
    }

    /// A landed transaction's slot, time and metadata, or `nil` when the node does not have it.
    /// `commitment` must be confirmed or finalized (processed is promoted to confirmed).
    public func getTransaction(_ signature: Signature, commitment: Commitment? = nil) async throws(SolanaRPCError)
        -> TransactionDetails?
    {
        try await send(.getTransaction(signature, commitment: max(level(commitment), .confirmed)))
    }

    /// Recent per-slot minimum prioritization fees for transactions locking `accounts`.
    public func getRecentPrioritizationFees(accounts: [PublicKey] = []) async throws(SolanaRPCError)
        -> [PrioritizationFee]
    {
        try await send(.getRecentPrioritizationFees(accounts: accounts))
    }
}
