import Foundation

/// One pinned distribution of a resolution: name, exact version and the hashes of its files.
public struct LockedPackage: Sendable, Hashable, Codable {
    /// The distribution name, PEP 503-normalized.
    public var name: String
    /// The exact version uv chose.
    public var version: String
    /// `algorithm:hex` digests of the distribution's files on the index, sorted.
    public var hashes: [String]

    /// Creates a pinned package.
    public init(name: String, version: String, hashes: [String]) {
        self.name = name
        self.version = version
        self.hashes = hashes.sorted()
    }

    /// `name==version`, as the result document's `dependencies` lists it.
    public var pin: String { "\(name)==\(version)" }
}

/// The exact set of distributions a job's requirements resolve to, read from `uv pip compile
/// --generate-hashes`: what is installed, and what identifies the environment.
public struct DependencyLock: Sendable, Hashable {
    /// The most distributions one resolution may hold.
    public static let maximumPackages = 1024

    /// The packages, sorted by name.
    public var packages: [LockedPackage]

    /// Creates a lock from its packages (sorted by name here).
    public init(packages: [LockedPackage]) {
        self.packages = packages.sorted { $0.name < $1.name }
    }

    /// `name==version` for every package, in order.
    public var pins: [String] { packages.map(\.pin) }

    /// Reads uv's requirements-format output (`--no-header --no-annotate --generate-hashes`):
    /// `name==version \` lines, each followed by `    --hash=algorithm:hex` lines; blank and `#` lines are
    /// skipped. Anything else is refused, so that nothing unexpected reaches the install step.
    init(uvOutput: String) throws(DependencyError) {
        var packages: [LockedPackage] = []
        for rawLine in uvOutput.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\\") { line = String(line.dropLast()).trimmingCharacters(in: .whitespaces) }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("--hash=") {
                let hash = String(line.dropFirst("--hash=".count))
                guard Self.isValidHash(hash), !packages.isEmpty else {
                    throw .uvFailed("unexpected line in uv's resolution: \(line.prefix(200))")
                }
                packages[packages.count - 1].hashes.append(hash)
                continue
            }
            let parts = line.components(separatedBy: "==")
            guard parts.count == 2, let name = PackageName(parts[0]), PEP440Version(parts[1]) != nil,
                !parts[1].contains(where: \.isWhitespace)
            else {
                throw .uvFailed("unexpected line in uv's resolution: \(line.prefix(200))")
            }
            packages.append(LockedPackage(name: name.normalized, version: parts[1], hashes: []))
        }
        guard packages.count <= Self.maximumPackages else {
            throw .tooManyPackages(count: packages.count, limit: Self.maximumPackages)
        }
        if let unhashed = packages.first(where: \.hashes.isEmpty) {
            throw .uvFailed("uv gave no hash for \(unhashed.pin)")
        }
        self.init(packages: packages.map { LockedPackage(name: $0.name, version: $0.version, hashes: $0.hashes) })
    }

    private static func isValidHash(_ hash: String) -> Bool {
        let parts = hash.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, ["sha256", "sha384", "sha512"].contains(parts[0]), !parts[1].isEmpty else {
            return false
        }
        return parts[1].allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// The requirements file `uv pip install --require-hashes` installs: every package pinned with all of its
    /// hashes.
    public var requirementsText: String {
        packages.map { package in
            ([package.pin] + package.hashes.map { "    --hash=\($0)" }).joined(separator: " \\\n") + "\n"
        }.joined()
    }

    /// The environment's key: SHA-256 (hex) of the canonical lock (sorted names, versions and hashes) and the
    /// interpreter's version, platform, implementation and libc.
    public func key(for interpreter: PythonInterpreter) -> String {
        let canonical = "interpreter \(interpreter.identity)\n" + requirementsText
        return SHA256Hex.digest(canonical)
    }
}
