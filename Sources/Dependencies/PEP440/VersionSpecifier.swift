import Foundation

/// One PEP 440 version specifier (`>=3.11`, `==3.11.*`, `~=3.10`, `!=3.12.0`, `===foo`), matched as the
/// reference implementation (PyPI `packaging`) matches it.
public struct VersionSpecifier: Sendable, Hashable, CustomStringConvertible {
    /// The comparison operator.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case compatible = "~="
        case equal = "=="
        case notEqual = "!="
        case lessThanOrEqual = "<="
        case greaterThanOrEqual = ">="
        case lessThan = "<"
        case greaterThan = ">"
        case arbitrary = "==="
    }

    /// What the operator compares with.
    public enum Operand: Sendable, Hashable {
        /// A version (every operator but `===`).
        case version(PEP440Version)
        /// A prefix `V.*` (`==` and `!=` only): epoch and release numbers.
        case prefix(epoch: UInt64, release: [UInt64])
        /// The text `===` compares with, as written.
        case arbitrary(String)
    }

    /// The operator.
    public var op: Operator
    /// The version, prefix or text compared with.
    public var operand: Operand

    /// Parses one specifier (whitespace around the operator and the version is allowed), or returns nil when
    /// PEP 440 does not allow it: `~=` needs two release numbers and no local label; a wildcard only after
    /// `==`/`!=` and a plain release; a local label only after `==`/`!=`.
    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("===") {
            let rest = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
            guard !rest.contains(where: { $0 == ";" || $0 == ")" || $0.isWhitespace }) else { return nil }
            self.op = .arbitrary
            self.operand = .arbitrary(rest)
            return
        }
        guard
            let op = [Operator.compatible, .equal, .notEqual, .lessThanOrEqual, .greaterThanOrEqual]
                .first(where: { trimmed.hasPrefix($0.rawValue) })
                ?? [Operator.lessThan, .greaterThan].first(where: { trimmed.hasPrefix($0.rawValue) })
        else { return nil }
        let rest = trimmed.dropFirst(op.rawValue.count).trimmingCharacters(in: .whitespaces)
        self.op = op
        if rest.hasSuffix(".*") {
            guard op == .equal || op == .notEqual else { return nil }
            var scanner = PEP440VersionParser.Scanner(Array(rest.dropLast(2).lowercased().utf8))
            guard let (epoch, release) = scanner.epochAndRelease(), scanner.isAtEnd else { return nil }
            self.operand = .prefix(epoch: epoch, release: release)
            return
        }
        guard let version = PEP440Version(rest) else { return nil }
        if version.local != nil && op != .equal && op != .notEqual { return nil }
        if op == .compatible && version.release.count < 2 { return nil }
        self.operand = .version(version)
    }

    /// Whether `candidate` satisfies this specifier. Pre-releases are not filtered out: the caller asks about
    /// one concrete version (PEP 440's pre-release exclusion is about choosing among candidates).
    public func contains(_ candidate: PEP440Version) -> Bool {
        switch (op, operand) {
        case (.arbitrary, .arbitrary(let text)):
            return candidate.description.lowercased() == text.lowercased()
        case (.equal, .prefix(let epoch, let release)):
            return Self.hasPrefix(candidate, epoch: epoch, release: release)
        case (.notEqual, .prefix(let epoch, let release)):
            return !Self.hasPrefix(candidate, epoch: epoch, release: release)
        case (.equal, .version(let version)):
            return (version.local == nil ? candidate.publicVersion : candidate) == version
        case (.notEqual, .version(let version)):
            return (version.local == nil ? candidate.publicVersion : candidate) != version
        case (.compatible, .version(let version)):
            return candidate.publicVersion >= version
                && Self.hasPrefix(candidate, epoch: version.epoch, release: Array(version.release.dropLast()))
        case (.lessThanOrEqual, .version(let version)):
            return candidate.publicVersion <= version
        case (.greaterThanOrEqual, .version(let version)):
            return candidate.publicVersion >= version
        case (.lessThan, .version(let version)):
            // `<V` excludes pre-releases of V itself unless V is one.
            guard candidate < version else { return false }
            return version.isPreRelease || !candidate.isPreRelease || candidate.baseVersion != version.baseVersion
        case (.greaterThan, .version(let version)):
            // `>V` excludes post-releases of V unless V is one, and local versions of V.
            guard candidate > version else { return false }
            if !version.isPostRelease && candidate.isPostRelease && candidate.baseVersion == version.baseVersion {
                return false
            }
            return candidate.local == nil || candidate.baseVersion != version.baseVersion
        default:
            return false
        }
    }

    /// `==V.*`: the candidate's epoch and release, padded with zeros, begin with `epoch` and `release`.
    private static func hasPrefix(_ candidate: PEP440Version, epoch: UInt64, release: [UInt64]) -> Bool {
        guard candidate.epoch == epoch else { return false }
        let padded = candidate.release + Array(repeating: 0, count: max(0, release.count - candidate.release.count))
        return Array(padded.prefix(release.count)) == release
    }

    /// The specifier as written in normalized form (`>=3.11`, `==3.11.*`).
    public var description: String {
        switch operand {
        case .version(let version): "\(op.rawValue)\(version)"
        case .prefix(let epoch, let release):
            "\(op.rawValue)\(epoch == 0 ? "" : "\(epoch)!")\(release.map(String.init).joined(separator: ".")).*"
        case .arbitrary(let text): "===\(text)"
        }
    }
}
