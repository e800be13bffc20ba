import Testing

@testable import IPFS

@Suite struct VarintTests {
    @Test func encodesKnownValues() {
        #expect(Varint.encode(0) == [0x00])
        #expect(Varint.encode(1) == [0x01])
        #expect(Varint.encode(127) == [0x7F])
        #expect(Varint.encode(128) == [0x80, 0x01])
        #expect(Varint.encode(300) == [0xAC, 0x02])
        #expect(Varint.encode(0x0200) == [0x80, 0x04])
        #expect(Varint.encode(UInt64.max).count == 10)
    }

    @Test func decodesAndRejectsMalformed() {
        #expect(Varint.decode([0xAC, 0x02, 0xFF])?.value == 300)
        #expect(Varint.decode([0xAC, 0x02, 0xFF])?.length == 2)
        #expect(Varint.decode([0x80]) == nil)  // truncated
        #expect(Varint.decode([0x81, 0x00]) == nil)  // not minimal
        #expect(Varint.decode([UInt8](repeating: 0xFF, count: 9) + [0x01]) == nil)  // over 9 bytes
        for value: UInt64 in [0, 1, 127, 128, 16_383, 16_384, 1 << 40, (1 << 63) - 1] {
            #expect(Varint.decode(Varint.encode(value))?.value == value)
        }
    }
}

@Suite struct MultibaseTests {
    @Test func roundTripsEveryBase() {
        var generator = SplitMix(seed: 7)
        for length in [0, 1, 2, 3, 4, 5, 6, 7, 31, 32, 33, 34, 36, 100] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            for base in Multibase.allCases {
                let text = base.encode(bytes)
                #expect(text.first == base.rawValue)
                #expect(base.decodeWithoutPrefix(text.dropFirst()) == bytes, "\(base) length \(length)")
            }
        }
    }

    @Test func knownEncodings() {
        let bytes = Array("hello".utf8)
        #expect(Multibase.base32.encode(bytes) == "bnbswy3dp")
        #expect(Multibase.base16.encode(bytes) == "f68656c6c6f")
        #expect(Multibase.base64url.encode(bytes) == "uaGVsbG8")
        #expect(Multibase.base58btc.encode(bytes) == "zCn8eVZg")
        #expect(Multibase.base58btc.encode([0, 0, 1]) == "z112")
    }

    @Test func rejectsInvalidText() {
        #expect(Multibase.base32.decodeWithoutPrefix("a1") == nil)  // '1' is not base32
        #expect(Multibase.base32.decodeWithoutPrefix("a") == nil)  // impossible length
        #expect(Multibase.base32.decodeWithoutPrefix("ab") == nil)  // non-zero padding bits
        #expect(Multibase.base16.decodeWithoutPrefix("abc") == nil)
        #expect(Multibase.base64url.decodeWithoutPrefix("a+") == nil)
        #expect(Multibase.base58btc.decodeWithoutPrefix("0OIl") == nil)
    }
}

@Suite struct CIDTests {
    static let emptyV0 = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"

    @Test func parsesAndPrintsV0() throws {
        let cid = try CID(Self.emptyV0)
        #expect(cid.version == .v0)
        #expect(cid.codec == .dagPB)
        #expect(cid.multihash.function == .sha256)
        #expect(cid.bytes.count == 34)
        #expect(cid.description == Self.emptyV0)
        #expect(try CID(bytes: cid.bytes) == cid)
    }

    @Test func convertsBetweenVersionsLikeGolden() throws {
        for vector in try GoldenCIDs.load().vectors {
            let v0 = try CID(vector.v0)
            let v1 = v0.toV1()
            #expect(v1.description == vector.v1V0dag)
            #expect(try CID(vector.v1V0dag) == v1)
            #expect(try v1.toV0() == v0)
            #expect(v0 != v1)
        }
    }

    @Test func printsV1InEveryBase() throws {
        let cid = try CID("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")
        #expect(cid.codec == .raw)
        #expect(cid == CID.rawBlock([]))
        for base in Multibase.allCases {
            let text = cid.string(base: base)
            #expect(try CID(text) == cid, "\(base): \(text)")
        }
        #expect(
            cid.string(base: .base16) == "f01551220"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(throws: CIDError.v0RequiresSHA256DagPB) { try cid.toV0() }
    }

    @Test func recognisesEveryCodec() throws {
        for codec in Codec.allCases {
            let cid = try CID(version: .v1, codec: codec, multihash: .sha256(of: [1, 2, 3]))
            #expect(try CID(cid.description) == cid)
            #expect(try CID(bytes: cid.bytes).codec == codec)
        }
    }

    @Test func identityCIDs() throws {
        let cid = try CID(version: .v1, codec: .raw, multihash: .identity(of: Array("hi".utf8)))
        #expect(try CID(cid.description) == cid)
        #expect(cid.matches(Array("hi".utf8)))
        #expect(!cid.matches(Array("ho".utf8)))
    }

    /// The binary form of a v1 CID from parts.
    private func v1Bytes(version: UInt64 = 1, codec: UInt64 = 0x55, hash: UInt64 = 0x12, digest: [UInt8]) -> [UInt8] {
        Varint.encode(version) + Varint.encode(codec) + Varint.encode(hash) + Varint.encode(UInt64(digest.count))
            + digest
    }

    @Test func rejectsEveryMalformedForm() throws {
        let digest = [UInt8](repeating: 0xAB, count: 32)
        let v0Bytes: [UInt8] = [0x12, 0x20] + digest
        let cases: [(String, CIDError)] = [
            ("", .empty),
            ("xafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", .badPrefix("x")),
            ("mAVUSIOOwxEKY/BwUmvv0yJlvuSQnrkHkZJuTTKSVmRt4UrhV", .unsupportedBase("m")),
            ("bafkrei!!", .badBaseEncoding(base: "b")),
            ("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQ0", .badBaseEncoding(base: "z")),
            ("z" + Multibase.base58btc.encodeWithoutPrefix(v0Bytes), .multibaseEncodedV0),
            (Multibase.base32.encode(v1Bytes(version: 2, digest: digest)), .badVersion(2)),
            (Multibase.base32.encode(v1Bytes(version: 0, digest: digest)), .badVersion(0)),
            (Multibase.base32.encode(v1Bytes(codec: 0x99, digest: digest)), .unknownCodec(0x99)),
            (Multibase.base32.encode(v1Bytes(hash: 0xB220, digest: digest)), .unsupportedHashFunction(0xB220)),
            (
                Multibase.base32.encode(v1Bytes(hash: 0x13, digest: digest)),
                .wrongDigestLength(expected: 64, actual: 32)
            ),
            (
                Multibase.base32.encode(v1Bytes(digest: Array(digest.prefix(31)))),
                .wrongDigestLength(expected: 32, actual: 31)
            ),
            (Multibase.base32.encode(v1Bytes(digest: digest) + [0]), .trailingBytes(1)),
            (Multibase.base32.encode(Array(v1Bytes(digest: digest).dropLast())), .truncated),
            (Multibase.base32.encode([0x81, 0x00, 0x55]), .badVarint),
            (Multibase.base58btc.encodeWithoutPrefix([0x00, 0x03, 0x61, 0x62, 0x63]), .v0RequiresSHA256DagPB),
        ]
        for (text, expected) in cases {
            #expect(throws: expected, "\(text)") { try CID(text) }
        }
        #expect(throws: CIDError.wrongDigestLength(expected: 32, actual: 31)) {
            try CID(bytes: [0x12, 0x1F] + digest.prefix(31))
        }
        #expect(throws: CIDError.trailingBytes(2)) { try CID(bytes: v0Bytes + [1, 2]) }
        #expect(throws: CIDError.v0RequiresSHA256DagPB) {
            try CID(version: .v0, codec: .dagPB, multihash: .identity(of: [1]))
        }
        #expect(throws: CIDError.v0RequiresSHA256DagPB) {
            try CID(version: .v0, codec: .raw, multihash: .sha256(of: [1]))
        }
        // Every error explains itself.
        for (_, error) in cases { #expect(!error.description.isEmpty) }
    }
}

/// A small deterministic generator for test data.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
