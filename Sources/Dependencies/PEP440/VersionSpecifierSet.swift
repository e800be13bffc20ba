/// A comma-separated list of PEP 440 specifiers (`>=3.8, <4`), all of which must hold; empty allows
/// everything. What `requires-python` holds.
public struct VersionSpecifierSet: Sendable, Hashable, CustomStringConvertible {
    /// The specifiers, in the order written.
    public var specifiers: [VersionSpecifier]

    /// Parses `text`; empty items (`>=3.8,,<4`) are skipped, as the reference implementation does. Returns
    /// nil when one item is not a valid specifier.
    public init?(_ text: some StringProtocol) {
        var specifiers: [VersionSpecifier] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.allSatisfy(\.isWhitespace) else { continue }
            guard let specifier = VersionSpecifier(item) else { return nil }
            specifiers.append(specifier)
        }
        self.specifiers = specifiers
    }

    /// Whether `version` satisfies every specifier.
    public func contains(_ version: PEP440Version) -> Bool {
        specifiers.allSatisfy { $0.contains(version) }
    }

    /// The specifiers joined with `,`.
    public var description: String { specifiers.map(\.description).joined(separator: ",") }
}
