import Crypto

/// Seeds that cannot derive a program address.
public enum ProgramAddressError: Error, Equatable, CustomStringConvertible {
    /// The seed at `index` has `length` bytes; Solana allows at most 32 per seed.
    case seedTooLong(index: Int, length: Int)
    /// There are `count` seeds (the bump counts as one); Solana allows at most 16.
    case tooManySeeds(count: Int)
    /// The derived address is an ed25519 point, which a program address must not be; try another bump.
    case onCurve
    /// Every bump from 255 down to 0 gave an on-curve address (practically never happens).
    case noViableBump

    public var description: String {
        switch self {
        case .seedTooLong(let index, let length):
            "program address seed \(index) has \(length) bytes; Solana allows at most \(PublicKey.maxSeedLength)"
        case .tooManySeeds(let count):
            "a program address has \(count) seeds; Solana allows at most \(PublicKey.maxSeeds) (the bump included)"
        case .onCurve: "the derived address lies on the ed25519 curve, so it cannot be a program address"
        case .noViableBump: "no bump seed from 255 down to 0 gives a program address off the ed25519 curve"
        }
    }
}

extension PublicKey {
    /// The most bytes one program address seed may have.
    public static let maxSeedLength = 32
    /// The most seeds a program address may have, the bump included.
    public static let maxSeeds = 16

    /// The marker Solana appends when hashing program address seeds.
    private static let programAddressMarker = Array("ProgramDerivedAddress".utf8)

    /// Whether these 32 bytes are an ed25519 curve point, exactly as Solana decides it.
    ///
    /// Wallet addresses are on the curve; program derived addresses are not.
    public var isOnCurve: Bool { Ed25519Curve.isOnCurve(bytes) }

    /// Derives the program address of `seeds` (bump included) under `programId`:
    /// sha256(seeds ‖ programId ‖ "ProgramDerivedAddress"), refused when that lands on the curve.
    public static func createProgramAddress(seeds: [[UInt8]], programId: PublicKey) throws(ProgramAddressError)
        -> PublicKey
    {
        try validate(seeds: seeds)
        let address = hashProgramAddress(seeds: seeds, programId: programId)
        guard !address.isOnCurve else { throw .onCurve }
        return address
    }

    /// Finds the canonical program address of `seeds` under `programId`: the first bump from 255 downward
    /// whose address is off the curve, as Solana's `find_program_address` does.
    public static func findProgramAddress(seeds: [[UInt8]], programId: PublicKey) throws(ProgramAddressError)
        -> (address: PublicKey, bump: UInt8)
    {
        try validate(seeds: seeds + [[0]])
        for bump in (UInt8.min...UInt8.max).reversed() {
            let address = hashProgramAddress(seeds: seeds + [[bump]], programId: programId)
            if !address.isOnCurve { return (address, bump) }
        }
        throw .noViableBump
    }

    /// Checks Solana's limits on the number and length of seeds.
    private static func validate(seeds: [[UInt8]]) throws(ProgramAddressError) {
        guard seeds.count <= maxSeeds else { throw .tooManySeeds(count: seeds.count) }
        if let index = seeds.firstIndex(where: { $0.count > maxSeedLength }) {
            throw .seedTooLong(index: index, length: seeds[index].count)
        }
    }

    /// sha256(seeds ‖ programId ‖ "ProgramDerivedAddress"), without the curve check.
    private static func hashProgramAddress(seeds: [[UInt8]], programId: PublicKey) -> PublicKey {
        var hasher = SHA256()
        for seed in seeds { hasher.update(data: seed) }
        hasher.update(data: programId.bytes)
        hasher.update(data: programAddressMarker)
        return PublicKey(uncheckedBytes: Array(hasher.finalize()))
    }
}
