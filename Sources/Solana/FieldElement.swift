/// An element of the field of integers modulo p = 2^255 - 19, in five 51-bit limbs (radix 2^51).
struct FieldElement: Sendable {
    /// The limbs, least significant first; each below 2^52 between operations.
    private var limbs: (UInt64, UInt64, UInt64, UInt64, UInt64)

    /// 2^51 - 1.
    private static let mask: UInt64 = (1 << 51) - 1

    /// 0.
    static let zero = FieldElement(limbs: (0, 0, 0, 0, 0))
    /// 1.
    static let one = FieldElement(limbs: (1, 0, 0, 0, 0))

    private init(limbs: (UInt64, UInt64, UInt64, UInt64, UInt64)) { self.limbs = limbs }

    /// The field element of 32 little-endian bytes, ignoring the top bit (bit 255).
    init(littleEndian bytes: [UInt8]) {
        precondition(bytes.count == 32)
        func word(_ index: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[index * 8 + $1]) << (8 * UInt64($1)) }
        }
        let (w0, w1, w2, w3) = (word(0), word(1), word(2), word(3))
        let mask = Self.mask
        limbs = (
            w0 & mask, (w0 >> 51 | w1 << 13) & mask, (w1 >> 38 | w2 << 26) & mask, (w2 >> 25 | w3 << 39) & mask,
            (w3 >> 12) & mask
        )
    }

    /// Propagates carries so that every limb is below 2^51 (plus at most a small amount in the lowest).
    private static func carried(_ r: (UInt64, UInt64, UInt64, UInt64, UInt64)) -> FieldElement {
        var (l0, l1, l2, l3, l4) = r
        l1 += l0 >> 51
        l0 &= mask
        l2 += l1 >> 51
        l1 &= mask
        l3 += l2 >> 51
        l2 &= mask
        l4 += l3 >> 51
        l3 &= mask
        l0 += 19 * (l4 >> 51)  // 2^255 ≡ 19
        l4 &= mask
        l1 += l0 >> 51
        l0 &= mask
        return FieldElement(limbs: (l0, l1, l2, l3, l4))
    }

    /// The sum.
    static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        carried(
            (
                a.limbs.0 + b.limbs.0, a.limbs.1 + b.limbs.1, a.limbs.2 + b.limbs.2, a.limbs.3 + b.limbs.3,
                a.limbs.4 + b.limbs.4
            ))
    }

    /// The difference (adds 4p first so that no limb goes below zero).
    static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        let lowFourP: UInt64 = 0x1F_FFFF_FFFF_FFB4  // 4 · (2^51 - 19)
        let fourP: UInt64 = 0x1F_FFFF_FFFF_FFFC  // 4 · (2^51 - 1)
        return carried(
            (
                a.limbs.0 + lowFourP - b.limbs.0, a.limbs.1 + fourP - b.limbs.1, a.limbs.2 + fourP - b.limbs.2,
                a.limbs.3 + fourP - b.limbs.3, a.limbs.4 + fourP - b.limbs.4
            ))
    }

    /// The product.
    static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        let (a0, a1, a2, a3, a4) = (
            UInt128(a.limbs.0), UInt128(a.limbs.1), UInt128(a.limbs.2), UInt128(a.limbs.3), UInt128(a.limbs.4)
        )
        let (b0, b1, b2, b3, b4) = (
            UInt128(b.limbs.0), UInt128(b.limbs.1), UInt128(b.limbs.2), UInt128(b.limbs.3), UInt128(b.limbs.4)
        )
        // Terms at 2^255 and above wrap around multiplied by 19.
        let r0 = a0 * b0 + 19 * (a1 * b4 + a2 * b3 + a3 * b2 + a4 * b1)
        var r1 = a0 * b1 + a1 * b0 + 19 * (a2 * b4 + a3 * b3 + a4 * b2)
        var r2 = a0 * b2 + a1 * b1 + a2 * b0 + 19 * (a3 * b4 + a4 * b3)
        var r3 = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0 + 19 * (a4 * b4)
        var r4 = a0 * b4 + a1 * b3 + a2 * b2 + a3 * b1 + a4 * b0
        let mask = UInt128(Self.mask)
        r1 += r0 >> 51
        r2 += r1 >> 51
        r3 += r2 >> 51
        r4 += r3 >> 51
        let top = r4 >> 51
        return carried(
            (
                UInt64(r0 & mask) + 19 * UInt64(top), UInt64(r1 & mask), UInt64(r2 & mask), UInt64(r3 & mask),
                UInt64(r4 & mask)
            ))
    }

    /// The square.
    func squared() -> FieldElement { self * self }

    /// self^exponent, the exponent given as little-endian bytes (square and multiply).
    func power(littleEndianExponent exponent: [UInt8]) -> FieldElement {
        var result = FieldElement.one
        for byte in exponent.reversed() {
            for bit in (0..<8).reversed() {
                result = result.squared()
                if (byte >> bit) & 1 == 1 { result = result * self }
            }
        }
        return result
    }

    /// The unique representative in 0..<p, as limbs.
    private var canonicalLimbs: [UInt64] {
        var reduced = Self.carried(limbs)
        reduced = Self.carried(reduced.limbs)
        var (l0, l1, l2, l3, l4) = reduced.limbs
        // q = 1 exactly when the value is at least p (value + 19 reaches 2^255).
        var q = (l0 + 19) >> 51
        q = (l1 + q) >> 51
        q = (l2 + q) >> 51
        q = (l3 + q) >> 51
        q = (l4 + q) >> 51
        l0 += 19 * q
        l1 += l0 >> 51
        l0 &= Self.mask
        l2 += l1 >> 51
        l1 &= Self.mask
        l3 += l2 >> 51
        l2 &= Self.mask
        l4 += l3 >> 51
        l3 &= Self.mask
        l4 &= Self.mask  // drops q · 2^255, completing the subtraction of q · p
        return [l0, l1, l2, l3, l4]
    }

    /// Whether the element is 0 mod p.
    var isZero: Bool { canonicalLimbs == [0, 0, 0, 0, 0] }
}

extension FieldElement: Equatable {
    /// Equality modulo p.
    static func == (lhs: FieldElement, rhs: FieldElement) -> Bool { lhs.canonicalLimbs == rhs.canonicalLimbs }
}
