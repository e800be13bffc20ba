/// Recognizes the names of query parameters that carry secrets (see
/// ``CredentialRedaction/isSecretParameterName(_:)``).
enum SecretParameterName {
    /// The parts that make a name secret, matched against the name lowercased, letters and digits only.
    static let markers: [[UInt8]] = [
        "key", "token", "secret", "pass", "pwd", "auth", "jwt", "sig", "cred", "session", "bearer",
    ].map { Array($0.utf8) }

    /// Whether `name` (raw bytes; percent-escapes are decoded) contains one of ``markers``.
    static func matches(_ name: ArraySlice<UInt8>) -> Bool {
        let normalized = normalize(name)
        return markers.contains { marker in
            normalized.count >= marker.count
                && (0...(normalized.count - marker.count)).contains { start in
                    normalized[start..<(start + marker.count)].elementsEqual(marker)
                }
        }
    }

    /// Lowercase ASCII letters and digits of `name`, after decoding `%XX` escapes.
    private static func normalize(_ name: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(name.count)
        var index = name.startIndex
        while index < name.endIndex {
            var byte = name[index]
            if byte == UInt8(ascii: "%"), index + 2 < name.endIndex,
                let high = hexValue(name[index + 1]), let low = hexValue(name[index + 2])
            {
                byte = high << 4 | low
                index += 2
            }
            index += 1
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): output.append(byte | 0x20)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): output.append(byte)
            default: continue
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
