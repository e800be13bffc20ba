/// The multibase encodings this module reads and writes; the raw value is the prefix character.
public enum Multibase: Character, Sendable, CaseIterable {
    /// Bitcoin's base58 alphabet (`z`), the form of CIDv0 without prefix.
    case base58btc = "z"
    /// RFC 4648 base32, lower case, no padding (`b`): the default form of CIDv1.
    case base32 = "b"
    /// Lower-case hexadecimal (`f`).
    case base16 = "f"
    /// RFC 4648 base64 with the URL-safe alphabet, no padding (`u`).
    case base64url = "u"

    /// Encodes `bytes` with this base, prefix included.
    public func encode(_ bytes: [UInt8]) -> String {
        String(rawValue) + encodeWithoutPrefix(bytes)
    }

    /// Encodes `bytes` with this base, without the multibase prefix.
    public func encodeWithoutPrefix(_ bytes: [UInt8]) -> String {
        switch self {
        case .base58btc: Base58.encode(bytes)
        case .base32: RFC4648.encode(bytes, alphabet: RFC4648.base32Lower, bitsPerChar: 5)
        case .base16: RFC4648.encode(bytes, alphabet: RFC4648.base16Lower, bitsPerChar: 4)
        case .base64url: RFC4648.encode(bytes, alphabet: RFC4648.base64URL, bitsPerChar: 6)
        }
    }

    /// Decodes text in this base (no prefix); nil when a character or the length is invalid.
    public func decodeWithoutPrefix(_ text: Substring) -> [UInt8]? {
        switch self {
        case .base58btc: Base58.decode(text)
        case .base32: RFC4648.decode(text.lowercased(), alphabet: RFC4648.base32Lower, bitsPerChar: 5)
        case .base16: RFC4648.decode(text.lowercased(), alphabet: RFC4648.base16Lower, bitsPerChar: 4)
        case .base64url: RFC4648.decode(String(text), alphabet: RFC4648.base64URL, bitsPerChar: 6)
        }
    }

    /// Known multibase prefixes this module does not decode (so the error can say "unsupported"
    /// rather than "not a multibase string").
    static let unsupportedPrefixes: Set<Character> = [
        "0", "7", "9", "c", "h", "k", "m", "p", "t", "v", "B", "C", "F", "K", "M", "T", "U", "V", "Z",
    ]
}

/// Base58 with Bitcoin's alphabet.
enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    private static let values: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        var digits: [UInt8] = []  // base-58 digits, least significant first
        for byte in bytes.dropFirst(zeros) {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        let chars = [UInt8](repeating: alphabet[0], count: zeros) + digits.reversed().map { alphabet[Int($0)] }
        return String(decoding: chars, as: UTF8.self)
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        let chars = Array(text.utf8)
        let zeros = chars.prefix { $0 == alphabet[0] }.count
        var bytes: [UInt8] = []  // least significant first
        for char in chars.dropFirst(zeros) {
            guard char < 128, values[Int(char)] >= 0 else { return nil }
            var carry = Int(values[Int(char)])
            for index in bytes.indices {
                carry += Int(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}

/// The RFC 4648 power-of-two bases without padding.
enum RFC4648 {
    static let base32Lower = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
    static let base16Lower = Array("0123456789abcdef".utf8)
    static let base64URL = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8], alphabet: [UInt8], bitsPerChar: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + bitsPerChar - 1) / bitsPerChar)
        let mask = (1 << bitsPerChar) - 1
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= bitsPerChar {
                bits -= bitsPerChar
                out.append(alphabet[(buffer >> bits) & mask])
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { out.append(alphabet[(buffer << (bitsPerChar - bits)) & mask]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Strict decoding: rejects characters outside the alphabet, impossible lengths and non-zero padding bits.
    static func decode(_ text: String, alphabet: [UInt8], bitsPerChar: Int) -> [UInt8]? {
        var values = [Int](repeating: -1, count: 128)
        for (index, char) in alphabet.enumerated() { values[Int(char)] = index }
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for char in text.utf8 {
            guard char < 128, values[Int(char)] >= 0 else { return nil }
            buffer = (buffer << bitsPerChar) | values[Int(char)]
            bits += bitsPerChar
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> bits) & 0xFF))
                buffer &= (1 << bits) - 1
            }
        }
        guard bits < bitsPerChar, buffer == 0 else { return nil }
        return out
    }
}
