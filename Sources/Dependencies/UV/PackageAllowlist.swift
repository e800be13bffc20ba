import Foundation

/// The distributions jobs may use (`PYTHON_PACKAGE_ALLOWLIST`), by PEP 503-normalized name. Checked against a
/// job's direct requirements before anything is resolved, and against the whole resolution (every transitive
/// dependency) before anything is installed.
public struct PackageAllowlist: Sendable, Hashable {
    /// The allowed names.
    public var names: Set<PackageName>

    /// An allowlist of `names`.
    public init(names: some Sequence<PackageName>) {
        self.names = Set(names)
    }

    /// Reads a comma-separated setting (`requests, Rich,charset_normalizer`); blank items are skipped.
    /// Throws the first item that is not a distribution name.
    public init(setting: String) throws(InvalidName) {
        var names: [PackageName] = []
        for item in setting.split(separator: ",") {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            guard let name = PackageName(trimmed) else { throw InvalidName(text: trimmed) }
            names.append(name)
        }
        self.init(names: names)
    }

    /// The names of `packages` not allowed, sorted and without duplicates.
    public func refused(_ packages: some Sequence<PackageName>) -> [PackageName] {
        Set(packages).subtracting(names).sorted()
    }

    /// An allowlist item that is not a distribution name.
    public struct InvalidName: Error, Sendable, Equatable, CustomStringConvertible {
        /// The item as written.
        public var text: String

        /// "'x' is not a distribution name".
        public var description: String { "'\(text)' is not a distribution name" }
    }
}
