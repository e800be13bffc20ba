import Foundation

/// One JSON-RPC call: the method, its positional parameters and the type its `result` decodes to.
///
/// Build custom calls with `init(method:params:)` (use `JSONValue` as `Result` to take the raw JSON), or use
/// the typed factories (`.getBalance(...)`, `.getAccountInfo(...)`, ...) for `SolanaRPCClient.send` and
/// `SolanaRPCClient.batch`.
public struct RPCRequest<Result: Decodable & Sendable>: Sendable {
    /// The JSON-RPC method name.
    public var method: String
    /// The positional parameters.
    public var params: [JSONValue]

    /// Creates a call.
    public init(method: String, params: [JSONValue] = []) {
        self.method = method
        self.params = params
    }
}

/// Builds a configuration object, leaving out absent members.
private func config(_ members: [String: JSONValue?]) -> JSONValue {
    .object(members.compactMapValues { $0 })
}

private func base64Text(_ bytes: [UInt8]) -> String {
    Data(bytes).base64EncodedString()
}

private func commitmentValue(_ commitment: Commitment?) -> JSONValue? {
    commitment.map { .string($0.rawValue) }
}

extension RPCRequest where Result == NodeVersion {
    /// `getVersion`.
    public static func getVersion() -> Self { .init(method: "getVersion") }
}

extension RPCRequest where Result == String {
    /// `getHealth`: "ok", or a -32005 error when the node is behind.
    public static func getHealth() -> Self { .init(method: "getHealth") }

    /// `requestAirdrop` (test clusters only): the airdrop transaction's signature.
    public static func requestAirdrop(to account: PublicKey, lamports: UInt64, commitment: Commitment) -> Self {
        .init(
            method: "requestAirdrop",
            params: [.string(account.base58), .number(lamports), config(["commitment": commitmentValue(commitment)])])
    }

    /// `sendTransaction` with the wire bytes sent base64-encoded: the transaction's signature.
    public static func sendTransaction(_ wire: [UInt8], options: SendTransactionOptions) -> Self {
        .init(method: "sendTransaction", params: [.string(base64Text(wire)), options.json])
    }
}

extension RPCRequest where Result == UInt64 {
    /// `getSlot`.
    public static func getSlot(commitment: Commitment) -> Self {
        .init(method: "getSlot", params: [config(["commitment": commitmentValue(commitment)])])
    }

    /// `getBlockHeight`.
    public static func getBlockHeight(commitment: Commitment) -> Self {
        .init(method: "getBlockHeight", params: [config(["commitment": commitmentValue(commitment)])])
    }

    /// `getMinimumBalanceForRentExemption` for an account of `dataLength` bytes.
    public static func getMinimumBalanceForRentExemption(dataLength: Int, commitment: Commitment) -> Self {
        .init(
            method: "getMinimumBalanceForRentExemption",
            params: [.integer(Int64(dataLength)), config(["commitment": commitmentValue(commitment)])])
    }
}

extension RPCRequest where Result == LatestBlockhash {
    /// `getLatestBlockhash`.
    public static func getLatestBlockhash(commitment: Commitment) -> Self {
        .init(method: "getLatestBlockhash", params: [config(["commitment": commitmentValue(commitment)])])
    }
}

extension RPCRequest where Result == ContextResult<Bool> {
    /// `isBlockhashValid`.
    public static func isBlockhashValid(_ blockhash: Blockhash, commitment: Commitment) -> Self {
        .init(
            method: "isBlockhashValid",
            params: [.string(blockhash.base58), config(["commitment": commitmentValue(commitment)])])
    }
}

extension RPCRequest where Result == ContextResult<UInt64> {
    /// `getBalance`, in lamports.
    public static func getBalance(_ account: PublicKey, commitment: Commitment) -> Self {
        .init(
            method: "getBalance",
            params: [.string(account.base58), config(["commitment": commitmentValue(commitment)])])
    }
}

extension RPCRequest where Result == ContextResult<UInt64?> {
    /// `getFeeForMessage` for a serialized message (not a whole transaction); `nil` when the message's
    /// blockhash has expired.
    public static func getFeeForMessage(_ message: [UInt8], commitment: Commitment) -> Self {
        .init(
            method: "getFeeForMessage",
            params: [.string(base64Text(message)), config(["commitment": commitmentValue(commitment)])])
    }
}

extension RPCRequest where Result == ContextResult<AccountInfo?> {
    /// `getAccountInfo` with base64 data; the value is `nil` when the account does not exist.
    public static func getAccountInfo(_ account: PublicKey, commitment: Commitment, dataSlice: DataSlice? = nil) -> Self
    {
        .init(
            method: "getAccountInfo",
            params: [
                .string(account.base58),
                config(["encoding": "base64", "commitment": commitmentValue(commitment), "dataSlice": dataSlice?.json]),
            ])
    }
}

extension RPCRequest where Result == ContextResult<[AccountInfo?]> {
    /// `getMultipleAccounts` with base64 data; `nil` for each account that does not exist.
    public static func getMultipleAccounts(
        _ accounts: [PublicKey], commitment: Commitment, dataSlice: DataSlice? = nil
    ) -> Self {
        .init(
            method: "getMultipleAccounts",
            params: [
                .array(accounts.map { .string($0.base58) }),
                config(["encoding": "base64", "commitment": commitmentValue(commitment), "dataSlice": dataSlice?.json]),
            ])
    }
}

private func programAccountsParams(
    _ program: PublicKey, filters: [AccountFilter], commitment: Commitment, dataSlice: DataSlice?, withContext: Bool
) -> [JSONValue] {
    [
        .string(program.base58),
        config([
            "encoding": "base64", "commitment": commitmentValue(commitment), "dataSlice": dataSlice?.json,
            "filters": filters.isEmpty ? nil : .array(filters.map(\.json)), "withContext": withContext ? true : nil,
        ]),
    ]
}

extension RPCRequest where Result == [ProgramAccount] {
    /// `getProgramAccounts` with base64 data: the accounts `program` owns that pass every filter.
    public static func getProgramAccounts(
        _ program: PublicKey, filters: [AccountFilter], commitment: Commitment, dataSlice: DataSlice? = nil
    ) -> Self {
        .init(
            method: "getProgramAccounts",
            params: programAccountsParams(
                program, filters: filters, commitment: commitment, dataSlice: dataSlice, withContext: false))
    }
}

extension RPCRequest where Result == ContextResult<[ProgramAccount]> {
    /// `getProgramAccounts` with `withContext: true`: the accounts and the slot they were read at.
    public static func getProgramAccountsWithContext(
        _ program: PublicKey, filters: [AccountFilter], commitment: Commitment, dataSlice: DataSlice? = nil
    ) -> Self {
        .init(
            method: "getProgramAccounts",
            params: programAccountsParams(
                program, filters: filters, commitment: commitment, dataSlice: dataSlice, withContext: true))
    }
}

extension RPCRequest where Result == ContextResult<SimulationResult> {
    /// `simulateTransaction` with the wire bytes sent base64-encoded.
    public static func simulateTransaction(_ wire: [UInt8], options: SimulateTransactionOptions) -> Self {
        .init(
            method: "simulateTransaction",
            params: [
                .string(base64Text(wire)),
                config([
                    "encoding": "base64", "sigVerify": .bool(options.sigVerify),
                    "replaceRecentBlockhash": .bool(options.replaceRecentBlockhash),
                    "commitment": commitmentValue(options.commitment),
                ]),
            ])
    }
}

extension RPCRequest where Result == ContextResult<[SignatureStatus?]> {
    /// `getSignatureStatuses`; `nil` for each signature the node does not know.
    public static func getSignatureStatuses(_ signatures: [Signature], searchTransactionHistory: Bool) -> Self {
        .init(
            method: "getSignatureStatuses",
            params: [
                .array(signatures.map { .string($0.base58) }),
                ["searchTransactionHistory": .bool(searchTransactionHistory)],
            ])
    }
}

extension RPCRequest where Result == TransactionDetails? {
    /// `getTransaction` (base64, versioned transactions accepted); `nil` when the node does not have it.
    /// `commitment` must be confirmed or finalized.
    public static func getTransaction(_ signature: Signature, commitment: Commitment) -> Self {
        .init(
            method: "getTransaction",
            params: [
                .string(signature.base58),
                config([
                    "encoding": "base64", "commitment": commitmentValue(commitment),
                    "maxSupportedTransactionVersion": 0,
                ]),
            ])
    }
}

extension RPCRequest where Result == [PrioritizationFee] {
    /// `getRecentPrioritizationFees` for transactions that lock `accounts` (empty: any transaction).
    public static func getRecentPrioritizationFees(accounts: [PublicKey]) -> Self {
        .init(
            method: "getRecentPrioritizationFees",
            params: accounts.isEmpty ? [] : [.array(accounts.map { .string($0.base58) })])
    }
}
