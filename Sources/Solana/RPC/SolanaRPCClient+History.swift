/// Transaction history and address listings: what incremental discovery reads.
extension SolanaRPCClient {
    /// The largest page `getSignaturesForAddress` returns.
    public static let maxSignaturesPerPage = 1000

    /// The largest answer ``getProgramAccountAddresses(_:filters:commitment:)`` accepts: 1 GiB, some four
    /// million accounts at 180 to 250 bytes of JSON each (the configured cap applies to every other call).
    public static let addressListingMaxResponseBytes = 1 << 30

    /// The transactions that named `address`, newest first, failed ones included: those older than `before`
    /// and newer than `until` (both exclusive), at most `limit` (1 to 1,000). `commitment` must be confirmed
    /// or finalized (processed is promoted to confirmed). A node without transaction history answers with a
    /// JSON-RPC error for which ``JSONRPCError/meansNoTransactionHistory`` is true.
    public func getSignaturesForAddress(
        _ address: PublicKey, before: Signature? = nil, until: Signature? = nil,
        limit: Int = SolanaRPCClient.maxSignaturesPerPage, commitment: Commitment? = nil
    ) async throws(SolanaRPCError) -> [SignatureInfo] {
        try await send(
            .getSignaturesForAddress(
                address, before: before, until: until, limit: limit,
                commitment: max(commitment ?? configuration.defaultCommitment, .confirmed)))
    }

    /// The account keys of a landed transaction (see ``TransactionAccounts``), or `nil` when the node does not
    /// have it. `commitment` must be confirmed or finalized (processed is promoted to confirmed).
    public func getTransactionAccounts(_ signature: Signature, commitment: Commitment? = nil)
        async throws(SolanaRPCError) -> TransactionAccounts?
    {
        try await send(
            .getTransactionAccounts(
                signature, commitment: max(commitment ?? configuration.defaultCommitment, .confirmed))
        )
    }

    /// The addresses of the accounts `program` owns that pass every filter, with the slot they were read at:
    /// `getProgramAccounts` with an empty `dataSlice`, so that the answer holds no account data (180 to 250
    /// bytes of JSON per account). Its answer may be as large as ``addressListingMaxResponseBytes``, whatever
    /// the configured cap, and is scanned for its addresses rather than decoded (``AddressListingScanner``): it
    /// takes the answer's size in memory plus 32 bytes per address.
    public func getProgramAccountAddresses(
        _ program: PublicKey, filters: [AccountFilter] = [], commitment: Commitment? = nil
    ) async throws(SolanaRPCError) -> ContextResult<[PublicKey]> {
        let request = RPCRequest<ContextResult<[ProgramAccountAddress]>>.getProgramAccountAddresses(
            program, filters: filters, commitment: commitment ?? configuration.defaultCommitment)
        let body = try await sendRaw(
            method: request.method, params: request.params,
            maxResponseBytes: max(configuration.maxResponseBytes, Self.addressListingMaxResponseBytes))
        do {
            return try AddressListingScanner.scan(body)
        } catch {
            throw .undecodableResponse(
                url: displayURL, method: request.method, reason: error.reason, excerpt: bodyExcerpt(body))
        }
    }
}

/// An entry of a `getProgramAccounts` answer of which only the address is decoded (the account is skipped).
public struct ProgramAccountAddress: Sendable, Hashable, Decodable {
    /// The account's address.
    public var pubkey: PublicKey
}

extension RPCRequest where Result == [SignatureInfo] {
    /// `getSignaturesForAddress`: newest first, `before` and `until` exclusive, `limit` 1 to 1,000.
    public static func getSignaturesForAddress(
        _ address: PublicKey, before: Signature?, until: Signature?, limit: Int, commitment: Commitment
    ) -> Self {
        var config: [String: JSONValue] = [
            "commitment": .string(commitment.rawValue), "limit": .integer(Int64(limit)),
        ]
        if let before { config["before"] = .string(before.base58) }
        if let until { config["until"] = .string(until.base58) }
        return .init(method: "getSignaturesForAddress", params: [.string(address.base58), .object(config)])
    }
}

extension RPCRequest where Result == TransactionAccounts? {
    /// `getTransaction` with `json` encoding (versioned transactions accepted), decoded to its account keys.
    public static func getTransactionAccounts(_ signature: Signature, commitment: Commitment) -> Self {
        .init(
            method: "getTransaction",
            params: [
                .string(signature.base58),
                [
                    "encoding": "json", "commitment": .string(commitment.rawValue),
                    "maxSupportedTransactionVersion": 0,
                ],
            ])
    }
}

extension RPCRequest where Result == ContextResult<[ProgramAccountAddress]> {
    /// `getProgramAccounts` with `withContext: true` and an empty `dataSlice`: addresses only.
    public static func getProgramAccountAddresses(
        _ program: PublicKey, filters: [AccountFilter], commitment: Commitment
    ) -> Self {
        var config: [String: JSONValue] = [
            "encoding": "base64", "commitment": .string(commitment.rawValue), "withContext": true,
            "dataSlice": ["offset": 0, "length": 0],
        ]
        if !filters.isEmpty { config["filters"] = .array(filters.map(\.json)) }
        return .init(method: "getProgramAccounts", params: [.string(program.base58), .object(config)])
    }
}
