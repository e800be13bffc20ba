/// Bitcoin-alphabet base58, as Solana uses for addresses, signatures and blockhashes.
public enum Base58 {
    /// The 58 characters, in digit order.
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    /// Digit value of each ASCII byte, or -1 when the byte is not in the alphabet.
    static let digitValues: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = Int8(index) }
        return table
    }()

    /// A string that is not valid base58.
    public enum DecodingError: Error, Equatable, CustomStringConvertible {
        /// The character at `position` (0-based, in characters) is not in the base58 alphabet.
        case invalidCharacter(Character, position: Int)

        public var description: String {
            switch self {
            case .invalidCharacter(let character, let position):
                "invalid base58 character '\(character)' at position \(position)"
            }
        }
    }

    /// Encodes bytes as base58; each leading zero byte becomes a leading "1".
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        let zeros = input.prefix(while: { $0 == 0 }).count
        // Big-endian base-58 digits of the number, least significant last.
        var digits: [UInt8] = []
        digits.reserveCapacity(input.count * 138 / 100 + 1)
        for byte in input[zeros...] {
            var carry = UInt32(byte)
            for index in digits.indices.reversed() {
                carry += UInt32(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.insert(UInt8(carry % 58), at: 0)
                carry /= 58
            }
        }
        var output = [UInt8](repeating: alphabet[0], count: zeros)
        output.append(contentsOf: digits.map { alphabet[Int($0)] })
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base58 text; each leading "1" becomes a leading zero byte.
    public static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        var bytes: [UInt8] = []
        var zeros = 0
        var seenNonZero = false
        for (position, character) in text.enumerated() {
            guard let ascii = character.asciiValue, digitValues[Int(ascii)] >= 0 else {
                throw .invalidCharacter(character, position: position)
            }
            let value = digitValues[Int(ascii)]
            if value == 0 && !seenNonZero {
                zeros += 1
                continue
            }
            seenNonZero = true
            var carry = UInt32(value)
            for index in bytes.indices.reversed() {
                carry += UInt32(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 {
                bytes.insert(UInt8(carry & 0xff), at: 0)
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes
    }
}
