/// A message or transaction that cannot be built, signed or sent as asked.
public enum TransactionBuildError: Error, Equatable, CustomStringConvertible {
    /// The instructions reference `count` distinct accounts; a legacy message holds at most 256.
    case tooManyAccounts(count: Int)
    /// An instruction's data or account list is longer than a compact-u16 length can say.
    case instructionTooLarge(index: Int)
    /// The message requires this account's signature and no keypair for it was given.
    case missingSigner(PublicKey)
    /// A keypair was given for an account that is not a signer of the message.
    case unexpectedSigner(PublicKey)
    /// The serialized transaction has `size` bytes, more than the 1232 a packet carries.
    case tooLarge(size: Int)

    public var description: String {
        switch self {
        case .tooManyAccounts(let count): "the transaction references \(count) accounts; at most 256 fit"
        case .instructionTooLarge(let index): "instruction \(index) is too large to encode"
        case .missingSigner(let key): "the transaction needs a signature from \(key) but no keypair for it was given"
        case .unexpectedSigner(let key): "keypair \(key) is not a signer of this transaction"
        case .tooLarge(let size):
            "the transaction is \(size) bytes; the limit is \(Transaction.maxWireSize) bytes"
        }
    }
}
