/// A value together with the slot at which the node evaluated it (`{"context":{"slot":N},"value":...}`).
public struct ContextResult<Value: Sendable>: Sendable {
    /// The slot the node read its state at.
    public var slot: UInt64
    /// The value.
    public var value: Value

    /// Creates a value with its context slot.
    public init(slot: UInt64, value: Value) {
        self.slot = slot
        self.value = value
    }
}

extension ContextResult: Decodable where Value: Decodable {
    private enum CodingKeys: String, CodingKey { case context, value }
    private enum ContextKeys: String, CodingKey { case slot }

    /// Decodes the value from its JSON-RPC form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let context = try container.nestedContainer(keyedBy: ContextKeys.self, forKey: .context)
        slot = try context.decode(UInt64.self, forKey: .slot)
        value = try container.decode(Value.self, forKey: .value)
    }
}

extension ContextResult: Equatable where Value: Equatable {}
extension ContextResult: Hashable where Value: Hashable {}

/// The software version a node runs (`getVersion`).
public struct NodeVersion: Sendable, Hashable, Decodable {
    /// The Solana (Agave) core version, e.g. "2.1.16".
    public var solanaCore: String
    /// The feature set identifier, when reported.
    public var featureSet: UInt32?

    private enum CodingKeys: String, CodingKey {
        case solanaCore = "solana-core"
        case featureSet = "feature-set"
    }
}

/// A recent blockhash and the last block height at which a transaction using it can land.
public struct LatestBlockhash: Sendable, Hashable, Decodable {
    /// The blockhash to put in a transaction.
    public var blockhash: Blockhash
    /// A transaction with this blockhash expires once the block height passes this value.
    public var lastValidBlockHeight: UInt64
    /// The slot at which the node read the blockhash.
    public var contextSlot: UInt64

    /// Creates a value.
    public init(blockhash: Blockhash, lastValidBlockHeight: UInt64, contextSlot: UInt64) {
        self.blockhash = blockhash
        self.lastValidBlockHeight = lastValidBlockHeight
        self.contextSlot = contextSlot
    }

    private struct Value: Decodable {
        var blockhash: String
        var lastValidBlockHeight: UInt64
    }

    /// Decodes the value from its JSON-RPC form.
    public init(from decoder: any Decoder) throws {
        let result = try ContextResult<Value>(from: decoder)
        do {
            blockhash = try Blockhash(base58: result.value.blockhash)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "blockhash: \(error.description)"))
        }
        lastValidBlockHeight = result.value.lastValidBlockHeight
        contextSlot = result.slot
    }
}

/// Where a transaction signature stands (`getSignatureStatuses`).
public struct SignatureStatus: Sendable, Hashable, Decodable {
    /// The slot the transaction was processed in.
    public var slot: UInt64
    /// Blocks confirmed on top of it; `nil` once rooted (finalized).
    public var confirmations: UInt64?
    /// Why the transaction failed; `nil` when it succeeded.
    public var err: TransactionError?
    /// The cluster's confirmation level, when the node reports it.
    public var confirmationStatus: Commitment?

    /// Creates a status.
    public init(slot: UInt64, confirmations: UInt64?, err: TransactionError?, confirmationStatus: Commitment?) {
        self.slot = slot
        self.confirmations = confirmations
        self.err = err
        self.confirmationStatus = confirmationStatus
    }

    /// The commitment level reached: the reported status, or `finalized` when `confirmations` is `nil`
    /// (rooted) on nodes that do not report one.
    public var reachedCommitment: Commitment {
        confirmationStatus ?? (confirmations == nil ? .finalized : .processed)
    }

    /// Whether the transaction has reached `commitment`.
    public func satisfies(_ commitment: Commitment) -> Bool { reachedCommitment >= commitment }
}

/// The outcome of `simulateTransaction`.
public struct SimulationResult: Sendable, Hashable, Decodable {
    /// Why the simulated transaction failed; `nil` when it succeeded.
    public var err: TransactionError?
    /// The program logs, when the simulation got far enough to produce them.
    public var logs: [String]?
    /// Compute units consumed, when reported.
    public var unitsConsumed: UInt64?
}

/// A landed transaction's metadata (`getTransaction`).
public struct TransactionDetails: Sendable, Hashable, Decodable {
    /// The slot it landed in.
    public var slot: UInt64
    /// The estimated production time of that block, in Unix seconds, when known.
    public var blockTime: Int64?
    /// Its execution metadata, when the node has it.
    public var meta: TransactionMeta?
}

/// The execution metadata of a landed transaction.
public struct TransactionMeta: Sendable, Hashable, Decodable {
    /// Why the transaction failed; `nil` when it succeeded.
    public var err: TransactionError?
    /// The fee charged, in lamports.
    public var fee: UInt64
    /// The program logs, when recorded.
    public var logMessages: [String]?
    /// Compute units consumed, when reported.
    public var computeUnitsConsumed: UInt64?
}

/// A recent slot's minimum prioritization fee (`getRecentPrioritizationFees`).
public struct PrioritizationFee: Sendable, Hashable, Decodable {
    /// The slot.
    public var slot: UInt64
    /// The fee paid by the cheapest landed transaction, in micro-lamports per compute unit.
    public var prioritizationFee: UInt64
}
