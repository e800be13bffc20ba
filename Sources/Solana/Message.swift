/// A legacy Solana message: what a transaction's signatures sign.
public struct Message: Hashable, Sendable {
    /// The roles of the account keys.
    public var header: MessageHeader
    /// Every account the instructions touch, ordered by role (see `MessageHeader`); the fee payer is first.
    public var accountKeys: [PublicKey]
    /// The blockhash that bounds the transaction's lifetime.
    public var recentBlockhash: Blockhash
    /// The instructions, referring to accounts by index.
    public var instructions: [CompiledInstruction]

    /// Creates a message from its parts.
    public init(
        header: MessageHeader, accountKeys: [PublicKey], recentBlockhash: Blockhash,
        instructions: [CompiledInstruction]
    ) {
        self.header = header
        self.accountKeys = accountKeys
        self.recentBlockhash = recentBlockhash
        self.instructions = instructions
    }

    /// Compiles instructions into a message paid for by `feePayer`, as Solana's SDK does.
    ///
    /// The fee payer comes first, then signer-writable, signer-readonly, non-signer writable and non-signer
    /// read-only keys. An account listed more than once appears once, with its roles OR-ed together. Program
    /// ids are read-only non-signers unless an instruction lists them otherwise. Within each class keys are
    /// sorted by their bytes, the order of the SDK's `CompiledKeys` (a `BTreeMap`), which solders reproduces.
    public init(feePayer: PublicKey, instructions: [Instruction], recentBlockhash: Blockhash)
        throws(TransactionBuildError)
    {
        var roles: [PublicKey: (isSigner: Bool, isWritable: Bool)] = [feePayer: (true, true)]
        for instruction in instructions {
            if roles[instruction.programId] == nil { roles[instruction.programId] = (false, false) }
            for meta in instruction.accounts {
                let current = roles[meta.publicKey] ?? (false, false)
                roles[meta.publicKey] = (current.isSigner || meta.isSigner, current.isWritable || meta.isWritable)
            }
        }
        guard roles.count <= 256 else { throw .tooManyAccounts(count: roles.count) }
        let others = roles.filter { $0.key != feePayer }.sorted { $0.key < $1.key }
        func keys(signer: Bool, writable: Bool) -> [PublicKey] {
            others.filter { $0.value.isSigner == signer && $0.value.isWritable == writable }.map(\.key)
        }
        let signerWritable = [feePayer] + keys(signer: true, writable: true)
        let signerReadonly = keys(signer: true, writable: false)
        let writable = keys(signer: false, writable: true)
        let readonly = keys(signer: false, writable: false)
        let accountKeys = signerWritable + signerReadonly + writable + readonly
        var indexOf: [PublicKey: UInt8] = [:]
        for (index, key) in accountKeys.enumerated() { indexOf[key] = UInt8(index) }

        var compiled: [CompiledInstruction] = []
        for (position, instruction) in instructions.enumerated() {
            guard instruction.data.count <= Int(UInt16.max), instruction.accounts.count <= Int(UInt16.max) else {
                throw .instructionTooLarge(index: position)
            }
            compiled.append(
                CompiledInstruction(
                    programIdIndex: indexOf[instruction.programId] ?? 0,
                    accounts: instruction.accounts.map { indexOf[$0.publicKey] ?? 0 },
                    data: instruction.data))
        }
        self.init(
            header: MessageHeader(
                numRequiredSignatures: UInt8(signerWritable.count + signerReadonly.count),
                numReadonlySignedAccounts: UInt8(signerReadonly.count),
                numReadonlyUnsignedAccounts: UInt8(readonly.count)),
            accountKeys: accountKeys, recentBlockhash: recentBlockhash, instructions: compiled)
    }

    /// The account that pays the fee (the first key), if there is one.
    public var feePayer: PublicKey? { accountKeys.first }

    /// The keys whose signatures the message requires, in signature order.
    public var signerKeys: [PublicKey] { Array(accountKeys.prefix(Int(header.numRequiredSignatures))) }

    /// Whether the key at `index` must sign.
    public func isSigner(at index: Int) -> Bool { index < Int(header.numRequiredSignatures) }

    /// Whether the key at `index` is writable, as the header says.
    public func isWritable(at index: Int) -> Bool {
        let signers = Int(header.numRequiredSignatures)
        if index < signers { return index < signers - Int(header.numReadonlySignedAccounts) }
        return index < accountKeys.count - Int(header.numReadonlyUnsignedAccounts)
    }

    /// The instructions with their account keys and roles resolved (indices out of range are skipped).
    public var decompiledInstructions: [Instruction] {
        instructions.compactMap { compiled in
            guard Int(compiled.programIdIndex) < accountKeys.count else { return nil }
            let metas = compiled.accounts.compactMap { index -> AccountMeta? in
                let position = Int(index)
                guard position < accountKeys.count else { return nil }
                return AccountMeta(
                    publicKey: accountKeys[position], isSigner: isSigner(at: position),
                    isWritable: isWritable(at: position))
            }
            return Instruction(
                programId: accountKeys[Int(compiled.programIdIndex)], accounts: metas, data: compiled.data)
        }
    }

    /// The wire form: header, compact array of keys, blockhash, compact array of instructions.
    public func serialize() -> [UInt8] {
        var output: [UInt8] = [
            header.numRequiredSignatures, header.numReadonlySignedAccounts, header.numReadonlyUnsignedAccounts,
        ]
        ShortVec.encode(UInt16(truncatingIfNeeded: accountKeys.count), into: &output)
        for key in accountKeys { output += key.bytes }
        output += recentBlockhash.bytes
        ShortVec.encode(UInt16(truncatingIfNeeded: instructions.count), into: &output)
        for instruction in instructions {
            output.append(instruction.programIdIndex)
            ShortVec.encode(UInt16(truncatingIfNeeded: instruction.accounts.count), into: &output)
            output += instruction.accounts
            ShortVec.encode(UInt16(truncatingIfNeeded: instruction.data.count), into: &output)
            output += instruction.data
        }
        return output
    }

    /// Decodes the wire form of a legacy message, checking Solana's sanity rules; the bytes must end with it.
    public init(serialized bytes: [UInt8]) throws(WireFormatError) {
        var reader = WireReader(bytes)
        try self.init(reading: &reader)
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
    }

    /// Reads a legacy message from `reader`.
    init(reading reader: inout WireReader) throws(WireFormatError) {
        let first = try reader.readByte("the message header")
        guard first & 0x80 == 0 else { throw .unsupportedVersion(first & 0x7f) }
        let header = MessageHeader(
            numRequiredSignatures: first,
            numReadonlySignedAccounts: try reader.readByte("the message header"),
            numReadonlyUnsignedAccounts: try reader.readByte("the message header"))
        let keyCount = try reader.readCompactU16("the number of account keys")
        var keys: [PublicKey] = []
        for _ in 0..<keyCount {
            keys.append(PublicKey(uncheckedBytes: try reader.read(PublicKey.length, "an account key")))
        }
        let blockhashBytes = try reader.read(32, "the recent blockhash")
        let instructionCount = try reader.readCompactU16("the number of instructions")
        var instructions: [CompiledInstruction] = []
        for _ in 0..<instructionCount {
            let programIdIndex = try reader.readByte("an instruction's program index")
            let accountCount = try reader.readCompactU16("an instruction's account count")
            let accounts = try reader.read(accountCount, "an instruction's account indices")
            let dataLength = try reader.readCompactU16("an instruction's data length")
            let data = try reader.read(dataLength, "an instruction's data")
            instructions.append(CompiledInstruction(programIdIndex: programIdIndex, accounts: accounts, data: data))
        }
        self.init(
            header: header, accountKeys: keys, recentBlockhash: Blockhash(uncheckedBytes: blockhashBytes),
            instructions: instructions)
        try sanitize()
    }

    /// Solana's legacy message sanity rules.
    func sanitize() throws(WireFormatError) {
        let signers = Int(header.numRequiredSignatures)
        guard signers >= 1 else { throw .invalidMessage("no fee payer: the message requires no signatures") }
        guard signers + Int(header.numReadonlyUnsignedAccounts) <= accountKeys.count else {
            throw .invalidMessage("the header counts more accounts than the \(accountKeys.count) keys listed")
        }
        guard Int(header.numReadonlySignedAccounts) < signers else {
            throw .invalidMessage("every signer is read-only, so none can pay the fee")
        }
        for (position, instruction) in instructions.enumerated() {
            let programIndex = Int(instruction.programIdIndex)
            guard programIndex != 0 else {
                throw .invalidMessage("instruction \(position) names the fee payer as program")
            }
            guard programIndex < accountKeys.count else {
                throw .invalidMessage("instruction \(position) has program index \(programIndex) past the keys")
            }
            if let bad = instruction.accounts.first(where: { Int($0) >= accountKeys.count }) {
                throw .invalidMessage("instruction \(position) has account index \(bad) past the keys")
            }
        }
    }
}
