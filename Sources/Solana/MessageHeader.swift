/// The three counts that give each account key of a legacy message its roles.
///
/// Keys are ordered signer-writable, signer-readonly, non-signer writable, non-signer readonly.
public struct MessageHeader: Hashable, Sendable {
    /// How many of the first account keys must sign (the fee payer is the first).
    public var numRequiredSignatures: UInt8
    /// How many of the signers, at the end of the signer keys, are read-only.
    public var numReadonlySignedAccounts: UInt8
    /// How many of the non-signers, at the end of the account keys, are read-only.
    public var numReadonlyUnsignedAccounts: UInt8

    /// Creates a header.
    public init(numRequiredSignatures: UInt8, numReadonlySignedAccounts: UInt8, numReadonlyUnsignedAccounts: UInt8) {
        self.numRequiredSignatures = numRequiredSignatures
        self.numReadonlySignedAccounts = numReadonlySignedAccounts
        self.numReadonlyUnsignedAccounts = numReadonlyUnsignedAccounts
    }
}

/// An instruction inside a message: the program and accounts as indices into the message's account keys.
public struct CompiledInstruction: Hashable, Sendable {
    /// The index of the program's key.
    public var programIdIndex: UInt8
    /// The indices of the accounts, in the order the program expects them.
    public var accounts: [UInt8]
    /// The instruction data.
    public var data: [UInt8]

    /// Creates a compiled instruction.
    public init(programIdIndex: UInt8, accounts: [UInt8], data: [UInt8]) {
        self.programIdIndex = programIdIndex
        self.accounts = accounts
        self.data = data
    }
}
