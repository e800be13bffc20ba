/// An account an instruction reads or writes, with the roles it has there.
public struct AccountMeta: Hashable, Sendable {
    /// The account's address.
    public var publicKey: PublicKey
    /// Whether the transaction must carry this account's signature.
    public var isSigner: Bool
    /// Whether the instruction may change the account.
    public var isWritable: Bool

    /// Creates an account reference.
    public init(publicKey: PublicKey, isSigner: Bool, isWritable: Bool) {
        self.publicKey = publicKey
        self.isSigner = isSigner
        self.isWritable = isWritable
    }
}

/// One call to an on-chain program: the program, the accounts it touches and its opaque data.
public struct Instruction: Hashable, Sendable {
    /// The program that executes the instruction.
    public var programId: PublicKey
    /// The accounts, in the order the program expects them.
    public var accounts: [AccountMeta]
    /// The instruction data, in the program's own encoding.
    public var data: [UInt8]

    /// Creates an instruction.
    public init(programId: PublicKey, accounts: [AccountMeta], data: [UInt8]) {
        self.programId = programId
        self.accounts = accounts
        self.data = data
    }
}
