/// How a send-and-confirm attempt ended.
public enum SendOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The transaction reached the requested commitment without error, in `slot`.
    case confirmed(signature: Signature, slot: UInt64)
    /// The transaction failed: rejected by preflight simulation (`slot` is `nil`) or executed with an error
    /// (`slot` is where it landed; the fee was charged). `logs` are the program logs when available.
    case failed(signature: Signature, error: TransactionError, logs: [String], slot: UInt64?)
    /// The block height passed `lastValidBlockHeight` and the signature never landed: it never will. The
    /// caller may re-sign with a fresh blockhash.
    case expired(signature: Signature, lastValidBlockHeight: UInt64)

    /// The transaction's signature.
    public var signature: Signature {
        switch self {
        case .confirmed(let signature, _), .failed(let signature, _, _, _), .expired(let signature, _): signature
        }
    }

    /// A readable account of the value.
    public var description: String {
        switch self {
        case .confirmed(let signature, let slot):
            "transaction \(signature) confirmed in slot \(slot)"
        case .failed(let signature, let error, _, let slot):
            "transaction \(signature) failed" + (slot.map { " in slot \($0)" } ?? " preflight") + ": \(error)"
        case .expired(let signature, let height):
            "transaction \(signature) expired: block height passed \(height) without it landing"
        }
    }
}

/// A signed transaction about to leave the process: what a caller must record to resume confirmation
/// after a crash.
public struct TransactionSubmission: Sendable, Hashable {
    /// The transaction's signature (its id).
    public var signature: Signature
    /// The block height after which it can no longer land.
    public var lastValidBlockHeight: UInt64
    /// The signed wire bytes, to rebroadcast after a restart.
    public var wire: [UInt8]

    /// Creates a submission record.
    public init(signature: Signature, lastValidBlockHeight: UInt64, wire: [UInt8]) {
        self.signature = signature
        self.lastValidBlockHeight = lastValidBlockHeight
        self.wire = wire
    }
}
