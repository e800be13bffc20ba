import Crypto

/// SHA-256 of a text, as 64 lower-case hexadecimal digits: the keys of locks and resolutions.
enum SHA256Hex {
    static func digest(_ text: String) -> String {
        let digits = Array("0123456789abcdef")
        return String(SHA256.hash(data: Array(text.utf8)).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }
}
