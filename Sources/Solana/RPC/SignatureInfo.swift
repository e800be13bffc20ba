/// One transaction that named an address, as `getSignaturesForAddress` lists it (newest first).
public struct SignatureInfo: Sendable, Hashable, Decodable {
    /// The transaction's first signature.
    public var signature: Signature
    /// The slot it landed in.
    public var slot: UInt64
    /// Why it failed; `nil` when it succeeded (failed transactions are listed too).
    public var err: TransactionError?
    /// The estimated production time of its block, in Unix seconds, when known.
    public var blockTime: Int64?
    /// The cluster's confirmation level, when the node reports it.
    public var confirmationStatus: Commitment?

    /// Creates a value.
    public init(
        signature: Signature, slot: UInt64, err: TransactionError?, blockTime: Int64?, confirmationStatus: Commitment?
    ) {
        self.signature = signature
        self.slot = slot
        self.err = err
        self.blockTime = blockTime
        self.confirmationStatus = confirmationStatus
    }

    private enum CodingKeys: String, CodingKey { case signature, slot, err, blockTime, confirmationStatus }

    /// Decodes the value from its JSON-RPC form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .signature)
        do {
            signature = try Signature(base58: text)
        } catch {
            throw DecodingError.dataCorruptedError(
                forKey: .signature, in: container, debugDescription: "signature: \(error.description)")
        }
        slot = try container.decode(UInt64.self, forKey: .slot)
        err = try container.decodeIfPresent(TransactionError.self, forKey: .err)
        blockTime = try container.decodeIfPresent(Int64.self, forKey: .blockTime)
        confirmationStatus = try? container.decodeIfPresent(Commitment.self, forKey: .confirmationStatus)
    }
}

extension JSONRPCError {
    /// The slot was skipped (no block was produced in it).
    public static let slotSkipped = -32007
    /// The slot was skipped, or is missing in long-term storage.
    public static let longTermStorageSlotSkipped = -32009
    /// The node keeps no transaction history (`getSignaturesForAddress`, `getTransaction`).
    public static let transactionHistoryNotAvailable = -32011

    /// Whether the error says that the node cannot serve transaction history (none kept, or a slot it does not
    /// have): the caller must find what changed some other way.
    public var meansNoTransactionHistory: Bool {
        [Self.slotSkipped, Self.longTermStorageSlotSkipped, Self.transactionHistoryNotAvailable].contains(code)
    }
}
