/// The accounts a landed transaction named, read from `getTransaction` with `json` encoding: its static
/// account keys, then the addresses its lookup tables loaded, and which of them it could write.
public struct TransactionAccounts: Sendable, Hashable, Decodable {
    /// The slot it landed in.
    public var slot: UInt64
    /// Why it failed; `nil` when it succeeded. A failed transaction changed no account but the fee payer.
    public var err: TransactionError?
    /// Every account key in message order: the static keys, then the loaded writable, then the loaded readonly.
    public var accountKeys: [PublicKey]
    /// The keys the transaction locked for writing (the only accounts it could change).
    public var writableKeys: [PublicKey]

    /// Creates a value.
    public init(slot: UInt64, err: TransactionError?, accountKeys: [PublicKey], writableKeys: [PublicKey]) {
        self.slot = slot
        self.err = err
        self.accountKeys = accountKeys
        self.writableKeys = writableKeys
    }

    private struct Header: Decodable {
        var numRequiredSignatures: Int
        var numReadonlySignedAccounts: Int
        var numReadonlyUnsignedAccounts: Int
    }

    private struct Message: Decodable {
        var accountKeys: [PublicKey]
        var header: Header
    }

    private struct Transaction: Decodable { var message: Message }

    private struct Loaded: Decodable {
        var writable: [PublicKey]
        var readonly: [PublicKey]
    }

    private struct Meta: Decodable {
        var err: TransactionError?
        var loadedAddresses: Loaded?
    }

    private enum CodingKeys: String, CodingKey { case slot, meta, transaction }

    /// Decodes the value from the JSON-RPC form of `getTransaction` with `json` encoding.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        slot = try container.decode(UInt64.self, forKey: .slot)
        let meta = try container.decodeIfPresent(Meta.self, forKey: .meta)
        let message = try container.decode(Transaction.self, forKey: .transaction).message
        err = meta?.err
        let keys = message.accountKeys
        let header = message.header
        let signers = min(header.numRequiredSignatures, keys.count)
        let writableSigners = max(0, signers - header.numReadonlySignedAccounts)
        let writableUnsigned = max(signers, keys.count - header.numReadonlyUnsignedAccounts)
        var writable = Array(keys[..<writableSigners])
        if writableUnsigned > signers { writable += keys[signers..<writableUnsigned] }
        let loaded = meta?.loadedAddresses ?? Loaded(writable: [], readonly: [])
        writable += loaded.writable
        accountKeys = keys + loaded.writable + loaded.readonly
        writableKeys = writable
    }
}
