/// The ed25519 curve test Solana applies to program derived addresses.
///
/// Solana (through curve25519-dalek's `CompressedEdwardsY::decompress`) calls 32 bytes a curve point when the
/// y coordinate they encode, reduced modulo p = 2^255 - 19, has an x with x² = (y² - 1) / (d·y² + 1) mod p.
/// Like Solana, and unlike strict RFC 8032 decoding, it accepts a non-canonical y (y ≥ p) and the sign bit on
/// x = 0: the validator is the judge of which addresses are valid PDAs, so this test matches it bit for bit.
enum Ed25519Curve {
    /// The curve constant d = -121665 / 121666 mod p, as little-endian bytes.
    static let d = FieldElement(
        littleEndian: [
            0xa3, 0x78, 0x59, 0x13, 0xca, 0x4d, 0xeb, 0x75, 0xab, 0xd8, 0x41, 0x41, 0x4d, 0x0a, 0x70, 0x00,
            0x98, 0xe8, 0x79, 0x77, 0x79, 0x40, 0xc7, 0x8c, 0x73, 0xfe, 0x6f, 0x2b, 0xee, 0x6c, 0x03, 0x52,
        ])

    /// The exponent (p - 1) / 2 = 2^254 - 10 of Euler's criterion, as little-endian bytes.
    static let eulerExponent: [UInt8] = [0xf6] + [UInt8](repeating: 0xff, count: 30) + [0x3f]

    /// Whether 32 bytes decompress to a point of the curve.
    static func isOnCurve(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 32 else { return false }
        let y = FieldElement(littleEndian: bytes)  // ignores the top bit, the sign of x
        let ySquared = y.squared()
        let numerator = ySquared - .one  // y² - 1
        let denominator = d * ySquared + .one  // d·y² + 1, never 0 because -1/d is not a square
        // numerator/denominator is a square exactly when numerator·denominator is (denominator ≠ 0).
        let product = numerator * denominator
        if product.isZero { return true }
        return product.power(littleEndianExponent: eulerExponent) == .one
    }
}
