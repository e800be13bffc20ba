import BigInt

/// The ed25519 curve test Solana applies to program derived addresses.
///
/// Solana (through curve25519-dalek's `CompressedEdwardsY::decompress`) calls 32 bytes a curve point when the
/// y coordinate they encode, reduced modulo p = 2^255 - 19, has an x with x² = (y² - 1) / (d·y² + 1) mod p.
/// Like Solana, and unlike strict RFC 8032 decoding, it accepts a non-canonical y (y ≥ p) and the sign bit on
/// x = 0: the validator is the judge of which addresses are valid PDAs, so this test matches it bit for bit.
enum Ed25519Curve {
    /// The field prime 2^255 - 19.
    static let p: BigUInt = (BigUInt(1) << 255) - 19

    /// The curve constant d = -121665 / 121666 mod p.
    static let d: BigUInt = {
        // 121666 is not a multiple of p, so its inverse always exists.
        let inverse = BigUInt(121_666).inverse(p) ?? 0
        return ((p - 121_665) * inverse) % p
    }()

    /// The exponent (p - 1) / 2 of Euler's criterion.
    static let eulerExponent: BigUInt = (p - 1) >> 1

    /// Whether 32 bytes decompress to a point of the curve.
    static func isOnCurve(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 32 else { return false }
        var littleEndian = bytes
        littleEndian[31] &= 0x7f  // the top bit is the sign of x, not part of y
        let y = littleEndianInteger(littleEndian) % p
        let ySquared = (y * y) % p
        let numerator = (ySquared + p - 1) % p  // y² - 1
        let denominator = (d * ySquared + 1) % p  // d·y² + 1, never 0 because -1/d is not a square
        // numerator/denominator is a square exactly when numerator·denominator is (denominator ≠ 0).
        let product = (numerator * denominator) % p
        if product.isZero { return true }
        return product.power(eulerExponent, modulus: p) == 1
    }

    /// The unsigned integer whose little-endian bytes these are.
    static func littleEndianInteger(_ bytes: [UInt8]) -> BigUInt {
        var value = BigUInt(0)
        for byte in bytes.reversed() { value = (value << 8) | BigUInt(byte) }
        return value
    }
}
