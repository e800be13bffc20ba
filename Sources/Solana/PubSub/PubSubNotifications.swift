/// A `programSubscribe` notification: an account of the program changed (or was created).
public struct ProgramNotification: Sendable, Hashable, Decodable {
    /// The slot of the change.
    public var slot: UInt64
    /// The account's address.
    public var pubkey: PublicKey
    /// The account as of `slot`.
    public var account: AccountInfo

    /// Creates a notification value.
    public init(slot: UInt64, pubkey: PublicKey, account: AccountInfo) {
        self.slot = slot
        self.pubkey = pubkey
        self.account = account
    }

    /// Decodes the value from its JSON-RPC form.
    public init(from decoder: any Decoder) throws {
        let result = try ContextResult<ProgramAccount>(from: decoder)
        self.init(slot: result.slot, pubkey: result.value.pubkey, account: result.value.account)
    }
}

/// An `accountSubscribe` notification: the account changed.
public struct AccountNotification: Sendable, Hashable, Decodable {
    /// The slot of the change.
    public var slot: UInt64
    /// The account as of `slot` (a closed account has 0 lamports, no data and the System Program as owner).
    public var account: AccountInfo

    /// Decodes the value from its JSON-RPC form.
    public init(from decoder: any Decoder) throws {
        let result = try ContextResult<AccountInfo>(from: decoder)
        slot = result.slot
        account = result.value
    }
}

/// A `signatureSubscribe` notification: the transaction reached the subscription's commitment.
public struct SignatureNotification: Sendable, Hashable, Decodable {
    /// The slot of the notification.
    public var slot: UInt64
    /// Why the transaction failed; `nil` when it succeeded.
    public var err: TransactionError?

    private struct Value: Decodable {
        var err: TransactionError?
    }

    /// Decodes the value from its JSON-RPC form.
    public init(from decoder: any Decoder) throws {
        let result = try ContextResult<Value>(from: decoder)
        slot = result.slot
        err = result.value.err
    }
}

/// A `slotSubscribe` notification: the node started processing a slot.
public struct SlotNotification: Sendable, Hashable, Decodable {
    /// The new slot.
    public var slot: UInt64
    /// Its parent slot.
    public var parent: UInt64
    /// The current root slot.
    public var root: UInt64
}
