/// Names of well-known multicodecs (hash functions and content codecs), so an error can say what a CID uses.
///
/// A small excerpt of the multicodec table; the golden vectors (scripts/golden-ipfs) check every entry against
/// the PyPI `multiformats` package's copy of the table. Codes not listed here are named by hex code.
public enum MulticodecNames {
    /// The table's name for `code`, or `nil` when it is not in this excerpt.
    public static func name(of code: UInt64) -> String? {
        if let name = table[code] { return name }
        switch code {
        case 0xB201...0xB240: return "blake2b-\((code - 0xB200) * 8)"
        case 0xB241...0xB260: return "blake2s-\((code - 0xB240) * 8)"
        default: return nil
        }
    }

    /// `name (0x…)`, or `0x… (unknown multicodec)` for codes not in the excerpt.
    public static func label(of code: UInt64) -> String {
        let code16 = hex(code)
        guard let name = name(of: code) else { return "\(code16) (unknown multicodec)" }
        return "\(name) (\(code16))"
    }

    /// `0x` and the code in lowercase hex with an even number of digits, as the multicodec table writes it.
    public static func hex(_ code: UInt64) -> String {
        let digits = String(code, radix: 16)
        return "0x" + (digits.count % 2 == 1 ? "0" : "") + digits
    }

    /// Every code listed one by one (the blake2b and blake2s ranges are computed), for the golden check.
    static let table: [UInt64: String] = [
        // Hash functions.
        0x00: "identity", 0x11: "sha1", 0x12: "sha2-256", 0x13: "sha2-512", 0x14: "sha3-512",
        0x15: "sha3-384", 0x16: "sha3-256", 0x17: "sha3-224", 0x18: "shake-128", 0x19: "shake-256",
        0x1A: "keccak-224", 0x1B: "keccak-256", 0x1C: "keccak-384", 0x1D: "keccak-512", 0x1E: "blake3",
        0x20: "sha2-384", 0x22: "murmur3-x64-64", 0x23: "murmur3-32", 0x56: "dbl-sha2-256", 0xD5: "md5",
        0x1012: "sha2-256-trunc254-padded", 0x1013: "sha2-224", 0x1014: "sha2-512-224", 0x1015: "sha2-512-256",
        0x1022: "murmur3-x64-128", 0x1053: "ripemd-160", 0x1100: "x11", 0xB401: "poseidon-bls12_381-a2-fc1",
        0xB502: "ssz-sha2-256-bmt",
        // Content codecs.
        0x51: "cbor", 0x55: "raw", 0x70: "dag-pb", 0x71: "dag-cbor", 0x72: "libp2p-key", 0x78: "git-raw",
        0x7B: "torrent-info", 0x7C: "torrent-file", 0x85: "dag-jose", 0x86: "dag-cose", 0x90: "eth-block",
        0xB0: "bitcoin-block", 0xC0: "zcash-block", 0x0129: "dag-json", 0x0200: "json", 0x0201: "messagepack",
        0x0202: "car", 0x0300: "ipns-record", 0x0301: "libp2p-peer-record", 0x0400: "car-index-sorted",
        0x0401: "car-multihash-index-sorted", 0xF101: "fil-commitment-unsealed", 0xF102: "fil-commitment-sealed",
    ]
}
