/// Instructions of the Compute Budget program, which set a transaction's compute limit and priority fee.
public enum ComputeBudget {
    /// The Compute Budget program, `ComputeBudget111111111111111111111111111111`.
    public static let programId = PublicKey(constant: "ComputeBudget111111111111111111111111111111")

    /// Caps the compute units the transaction may use (instruction 2, then the limit as u32 LE).
    public static func setComputeUnitLimit(_ units: UInt32) -> Instruction {
        Instruction(programId: programId, accounts: [], data: [2] + littleEndianBytes(units))
    }

    /// Sets the priority fee in micro-lamports per compute unit (instruction 3, then the price as u64 LE).
    public static func setComputeUnitPrice(microLamports: UInt64) -> Instruction {
        Instruction(programId: programId, accounts: [], data: [3] + littleEndianBytes(microLamports))
    }

    /// The little-endian bytes of an integer.
    private static func littleEndianBytes<Integer: FixedWidthInteger>(_ value: Integer) -> [UInt8] {
        (0..<Integer.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
