/// A distribution name in PEP 503 normal form: lower case, every run of `-`, `_` and `.` replaced by one `-`
/// (`Foo.Bar_baz` is `foo-bar-baz`). Allowlists and locks compare names in this form.
public struct PackageName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The normalized name.
    public let normalized: String

    /// Normalizes `name`, or returns nil when it is not a valid distribution name (ASCII letters and digits,
    /// with `-`, `_` or `.` between them).
    public init?(_ name: some StringProtocol) {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last, Self.isAlphanumeric(first), Self.isAlphanumeric(last),
            bytes.allSatisfy({ Self.isAlphanumeric($0) || Self.isSeparator($0) })
        else { return nil }
        var output: [UInt8] = []
        var previousWasSeparator = false
        for byte in bytes {
            if Self.isSeparator(byte) {
                if !previousWasSeparator { output.append(UInt8(ascii: "-")) }
                previousWasSeparator = true
            } else {
                output.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
                previousWasSeparator = false
            }
        }
        self.normalized = String(decoding: output, as: UTF8.self)
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.normalized < rhs.normalized }

    /// The normalized name.
    public var description: String { normalized }
}
