import Foundation

/// A legacy Solana transaction: the signatures, then the message they sign.
public struct Transaction: Hashable, Sendable {
    /// The most bytes a serialized transaction may have (an IPv6 packet's payload, as Solana limits it).
    public static let maxWireSize = 1232

    /// One signature per required signer, in the order of `message.signerKeys`.
    public var signatures: [Signature]
    /// The message the signatures sign.
    public var message: Message

    /// Wraps a message with all-zero placeholder signatures, ready to sign.
    public init(message: Message) {
        self.message = message
        self.signatures = Array(repeating: .placeholder, count: Int(message.header.numRequiredSignatures))
    }

    /// Creates a transaction from signatures and a message, as received.
    public init(signatures: [Signature], message: Message) {
        self.signatures = signatures
        self.message = message
    }

    /// Compiles instructions into an unsigned transaction paid for by `feePayer`.
    public init(feePayer: PublicKey, instructions: [Instruction], recentBlockhash: Blockhash)
        throws(TransactionBuildError)
    {
        self.init(
            message: try Message(feePayer: feePayer, instructions: instructions, recentBlockhash: recentBlockhash))
    }

    /// Signs with keypairs for every required signer, replacing any signatures made before.
    ///
    /// Fails, leaving the transaction unchanged, when a keypair is not a signer of the message or when a
    /// required signer has no keypair.
    public mutating func sign(with signers: [Keypair]) throws(TransactionBuildError) {
        var copy = self
        try copy.partialSign(with: signers)
        let keys = Set(signers.map(\.publicKey))
        if let missing = message.signerKeys.first(where: { !keys.contains($0) }) { throw .missingSigner(missing) }
        self = copy
    }

    /// Adds the signatures of some signers, leaving the others as they are (for several parties to sign).
    public mutating func partialSign(with signers: [Keypair]) throws(TransactionBuildError) {
        let signerKeys = message.signerKeys
        if signatures.count != signerKeys.count {
            signatures = Array(repeating: .placeholder, count: signerKeys.count)
        }
        if let stranger = signers.first(where: { !signerKeys.contains($0.publicKey) }) {
            throw .unexpectedSigner(stranger.publicKey)
        }
        let messageBytes = message.serialize()
        for keypair in signers {
            for (index, key) in signerKeys.enumerated() where key == keypair.publicKey {
                signatures[index] = keypair.sign(messageBytes)
            }
        }
    }

    /// The transaction's id: its first signature (the fee payer's), if it has one.
    public var signature: Signature? { signatures.first }

    /// Whether there is one valid signature for each required signer.
    public func verifySignatures() -> Bool {
        let signerKeys = message.signerKeys
        guard signatures.count == signerKeys.count else { return false }
        let messageBytes = message.serialize()
        return zip(signerKeys, signatures).allSatisfy { key, signature in
            key.verify(signature: signature, message: messageBytes)
        }
    }

    /// The wire form without the size check: compact array of signatures, then the message.
    public var wireBytes: [UInt8] {
        var output: [UInt8] = []
        ShortVec.encode(UInt16(truncatingIfNeeded: signatures.count), into: &output)
        for signature in signatures { output += signature.bytes }
        return output + message.serialize()
    }

    /// The wire form, refused when it exceeds `maxWireSize`.
    public func serialize() throws(TransactionBuildError) -> [UInt8] {
        let bytes = wireBytes
        guard bytes.count <= Self.maxWireSize else { throw .tooLarge(size: bytes.count) }
        return bytes
    }

    /// The base64 of the wire form, as `sendTransaction` and `simulateTransaction` take it.
    public func base64EncodedString() throws(TransactionBuildError) -> String {
        Data(try serialize()).base64EncodedString()
    }

    /// Decodes the wire form of a legacy transaction; the bytes must end with it.
    public init(serialized bytes: [UInt8]) throws(WireFormatError) {
        var reader = WireReader(bytes)
        let count = try reader.readCompactU16("the number of signatures")
        var signatures: [Signature] = []
        for _ in 0..<count {
            signatures.append(Signature(uncheckedBytes: try reader.read(Signature.length, "a signature")))
        }
        let message = try Message(reading: &reader)
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        guard signatures.count == Int(message.header.numRequiredSignatures) else {
            throw .signatureCountMismatch(
                signatures: signatures.count, required: Int(message.header.numRequiredSignatures))
        }
        self.init(signatures: signatures, message: message)
    }
}
