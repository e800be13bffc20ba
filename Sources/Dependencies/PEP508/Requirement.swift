import Foundation

/// A dependency as a job names it: a PEP 508 requirement **by name only** (`requests[socks]>=2.31,<3;
/// python_version >= "3.8"`). Direct references (`name @ https://…`, `file:` paths) are refused: the worker
/// resolves against its configured index and nothing else, so a job cannot make it fetch an address of its
/// choosing or read a local file.
///
/// The text is checked completely before it reaches uv, and uv is given ``description``, rebuilt from the
/// parsed parts: nothing of what a requirements file can also hold (options such as `--index-url`, `-r`
/// includes, `${VARIABLE}` expansion, comments, line continuations) can be smuggled in.
public struct Requirement: Sendable, Hashable, CustomStringConvertible {
    /// The distribution name as written.
    public var name: String
    /// The distribution name in PEP 503 normal form.
    public var packageName: PackageName
    /// The extras (`[socks]`), normalized and sorted.
    public var extras: [PackageName]
    /// The version specifiers (empty: any version).
    public var specifiers: VersionSpecifierSet
    /// The environment marker after `;`, re-spaced (`python_version >= "3.8"`), or nil.
    public var marker: String?

    /// Parses `text`.
    public init(parsing text: String) throws(RequirementError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw RequirementError(requirement: text, reason: "it is empty") }
        if let bad = trimmed.unicodeScalars.first(where: { !$0.isASCII || $0.value < 0x20 || $0.value == 0x7F }) {
            throw RequirementError(
                requirement: text,
                reason: "it contains the character U+\(String(bad.value, radix: 16, uppercase: true))")
        }
        if trimmed.contains("@") {
            throw RequirementError(
                requirement: text, reason: "direct references (name @ URL) are not allowed: name a package of the index"
            )
        }
        if let character = trimmed.first(where: { "$#\\".contains($0) }) {
            throw RequirementError(requirement: text, reason: "the character '\(character)' is not allowed")
        }
        let (requirementPart, markerPart) = Self.splitMarker(trimmed)
        var rest = Substring(requirementPart)
        let nameEnd =
            rest.firstIndex {
                !(PackageName.isAlphanumeric($0.asciiValue ?? 0) || PackageName.isSeparator($0.asciiValue ?? 0))
            }
            ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard let packageName = PackageName(name) else {
            throw RequirementError(requirement: text, reason: "it does not begin with a valid distribution name")
        }
        rest = rest[nameEnd...].drop(while: \.isWhitespace)
        var extras: [PackageName] = []
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else {
                throw RequirementError(requirement: text, reason: "'[' of the extras is not closed")
            }
            let inner = rest[rest.index(after: rest.startIndex)..<close].trimmingCharacters(in: .whitespaces)
            for item in inner.isEmpty ? [] : inner.split(separator: ",", omittingEmptySubsequences: false) {
                let extra = item.trimmingCharacters(in: .whitespaces)
                guard let extraName = PackageName(extra) else {
                    throw RequirementError(requirement: text, reason: "'\(extra)' is not a valid extra name")
                }
                extras.append(extraName)
            }
            rest = rest[rest.index(after: close)...].drop(while: \.isWhitespace)
        }
        var versionText = rest.trimmingCharacters(in: .whitespaces)
        if versionText.hasPrefix("(") {
            guard versionText.hasSuffix(")") else {
                throw RequirementError(requirement: text, reason: "'(' of the version specifiers is not closed")
            }
            versionText = String(versionText.dropFirst().dropLast())
        }
        guard let specifiers = VersionSpecifierSet(versionText) else {
            throw RequirementError(requirement: text, reason: "'\(versionText)' is not a valid version specifier")
        }
        guard versionText.allSatisfy(\.isWhitespace) || !specifiers.specifiers.isEmpty else {
            throw RequirementError(requirement: text, reason: "'\(versionText)' is not a valid version specifier")
        }
        var marker: String?
        if let markerPart {
            do {
                marker = try MarkerValidator.normalize(markerPart)
            } catch {
                throw RequirementError(requirement: text, reason: "invalid environment marker: \(error.reason)")
            }
        }
        self.name = name
        self.packageName = packageName
        self.extras = Array(Set(extras)).sorted()
        self.specifiers = specifiers
        self.marker = marker
    }

    /// Splits at the first `;` (markers hold no `;` of their own).
    private static func splitMarker(_ text: String) -> (String, String?) {
        guard let semicolon = text.firstIndex(of: ";") else { return (text, nil) }
        return (String(text[..<semicolon]), String(text[text.index(after: semicolon)...]))
    }

    /// The requirement rebuilt from its parts: `name[extra,…]spec,…; marker`.
    public var description: String {
        var text = name
        if !extras.isEmpty { text += "[" + extras.map(\.normalized).joined(separator: ",") + "]" }
        text += specifiers.description
        if let marker { text += "; " + marker }
        return text
    }
}

/// Why a dependency string is not an acceptable requirement.
public struct RequirementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The requirement as written (cut to 200 characters).
    public var requirement: String
    /// What is wrong with it.
    public var reason: String

    /// Creates an error for `requirement`.
    public init(requirement: String, reason: String) {
        self.requirement = requirement.count > 200 ? String(requirement.prefix(200)) + "…" : requirement
        self.reason = reason
    }

    /// "invalid requirement 'x': reason".
    public var description: String { "invalid requirement '\(requirement)': \(reason)" }
}
