/// Amounts of SOL as operators write and read them: exact conversions between lamports and SOL text.
public enum Lamports {
    /// Lamports in one SOL.
    public static let perSOL: UInt64 = 1_000_000_000

    /// The lamports of a SOL amount written in decimal (`2`, `0.5`, `1.000000001`); nil when the text is not
    /// a non-negative number with at most nine decimals, or overflows.
    public static func parse(sol text: String) -> UInt64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else {
            return nil
        }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), fraction.count <= 9 else { return nil }
        guard let units = whole.isEmpty ? 0 : UInt64(whole),
            let fractional = UInt64(fraction + String(repeating: "0", count: 9 - fraction.count))
        else { return nil }
        let (scaled, overflow) = units.multipliedReportingOverflow(by: perSOL)
        guard !overflow else { return nil }
        let (total, overflowSum) = scaled.addingReportingOverflow(fractional)
        return overflowSum ? nil : total
    }

    /// The SOL text of `lamports`, without trailing zeros: `1000000` → `0.001`, `2000000000` → `2`.
    public static func solText(_ lamports: UInt64) -> String {
        let whole = lamports / perSOL
        let fraction = lamports % perSOL
        guard fraction > 0 else { return "\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}

extension Character {
    /// Whether this is one of the ASCII digits 0 to 9.
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
