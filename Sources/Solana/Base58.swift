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
        // Base-58 digits of the number, most significant first, in a buffer sized for the worst case
        // (log 256 / log 58 ≈ 1.366 digits per byte); `length` digits at the end are in use.
        let capacity = (input.count - zeros) * 138 / 100 + 1
        var digits = [UInt8](repeating: 0, count: capacity)
        var length = 0
        for byte in input[zeros...] {
            var carry = UInt32(byte)
            var index = capacity - 1
            var used = 0
            while carry != 0 || used < length {
                carry += UInt32(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
                index -= 1
                used += 1
            }
            length = used
        }
        var output = [UInt8](repeating: alphabet[0], count: zeros)
        output.reserveCapacity(zeros + length)
        for digit in digits[(capacity - length)...] { output.append(alphabet[Int(digit)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base58 text; each leading "1" becomes a leading zero byte.
    public static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        let characters = Array(text.utf8)
        var values = [UInt8](repeating: 0, count: characters.count)
        for (index, character) in characters.enumerated() {
            let value = digitValues[Int(character)]
            guard value >= 0 else { throw firstInvalidCharacter(in: text) }
            values[index] = UInt8(value)
        }
        let zeros = values.prefix(while: { $0 == 0 }).count
        // Bytes of the number, most significant first (log 58 / log 256 ≈ 0.733 bytes per digit).
        let capacity = (values.count - zeros) * 733 / 1000 + 1
        var bytes = [UInt8](repeating: 0, count: capacity)
        var length = 0
        for value in values[zeros...] {
            var carry = UInt32(value)
            var index = capacity - 1
            var used = 0
            while carry != 0 || used < length {
                carry += UInt32(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xff)
                carry >>= 8
                index -= 1
                used += 1
            }
            length = used
        }
        return [UInt8](repeating: 0, count: zeros) + bytes[(capacity - length)...]
    }

    /// The error for the first character of `text` that is not a base58 digit, with its position in characters.
    private static func firstInvalidCharacter(in text: String) -> DecodingError {
        for (position, character) in text.enumerated() {
            guard let ascii = character.asciiValue, digitValues[Int(ascii)] >= 0 else {
                return .invalidCharacter(character, position: position)
            }
        }
        return .invalidCharacter("?", position: 0)
    }
}
