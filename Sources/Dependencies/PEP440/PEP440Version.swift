/// A version as PEP 440 defines it (`1!2.0rc1.post2.dev3+local.7`), parsed with the leniency of the reference
/// implementation (PyPI `packaging`): any case, a leading `v`, `-`, `_` or `.` separators, spelled-out
/// pre-release labels (`alpha`, `beta`, `c`, `pre`, `preview`) and implicit numbers (`1.0a` is `1.0a0`).
///
/// Equality and order are PEP 440's: trailing zeros of the release do not count (`3.11` == `3.11.0`),
/// `dev` < `a` < `b` < `rc` < release < `post`, and a local label sorts after the same public version.
public struct PEP440Version: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// A pre-release phase.
    public enum PreRelease: String, Sendable, Hashable, Comparable {
        case alpha = "a"
        case beta = "b"
        case releaseCandidate = "rc"

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One dot-separated part of a local label: numbers sort after words, and numerically.
    public enum LocalPart: Sendable, Hashable, Comparable, CustomStringConvertible {
        case number(UInt64)
        case word(String)

        public static func < (lhs: Self, rhs: Self) -> Bool {
            switch (lhs, rhs) {
            case (.word(let left), .word(let right)): left < right
            case (.number(let left), .number(let right)): left < right
            case (.word, .number): true
            case (.number, .word): false
            }
        }

        public var description: String {
            switch self {
            case .number(let value): String(value)
            case .word(let word): word
            }
        }
    }

    /// The epoch (`1!`), 0 when absent.
    public var epoch: UInt64
    /// The release numbers (`3.11.2` is `[3, 11, 2]`), at least one.
    public var release: [UInt64]
    /// The pre-release phase and number (`rc1`).
    public var preRelease: (phase: PreRelease, number: UInt64)?
    /// The post-release number (`.post2`).
    public var postRelease: UInt64?
    /// The development release number (`.dev3`).
    public var devRelease: UInt64?
    /// The local label (`+ubuntu.1`), lower-cased, split at `.`, `-` and `_`.
    public var local: [LocalPart]?

    /// Parses `text`, or returns nil when it is not a PEP 440 version.
    public init?(_ text: some StringProtocol) {
        guard let parsed = PEP440VersionParser.parse(String(text)) else { return nil }
        self = parsed
    }

    /// A version from its parts.
    public init(
        epoch: UInt64 = 0, release: [UInt64], preRelease: (phase: PreRelease, number: UInt64)? = nil,
        postRelease: UInt64? = nil, devRelease: UInt64? = nil, local: [LocalPart]? = nil
    ) {
        precondition(!release.isEmpty, "a version has at least one release number")
        self.epoch = epoch
        self.release = release
        self.preRelease = preRelease
        self.postRelease = postRelease
        self.devRelease = devRelease
        self.local = local
    }

    /// A pre-release or development release.
    public var isPreRelease: Bool { preRelease != nil || devRelease != nil }
    /// A post-release.
    public var isPostRelease: Bool { postRelease != nil }
    /// This version without its local label.
    public var publicVersion: PEP440Version {
        var copy = self
        copy.local = nil
        return copy
    }
    /// Epoch and release only (`1.0rc1.post2` gives `1.0`).
    public var baseVersion: PEP440Version { PEP440Version(epoch: epoch, release: release) }

    /// The normalized form (`1.0-alpha-2` is `1.0a2`, `v1.0.POST` is `1.0.post0`).
    public var description: String {
        var text = epoch == 0 ? "" : "\(epoch)!"
        text += release.map(String.init).joined(separator: ".")
        if let preRelease { text += "\(preRelease.phase.rawValue)\(preRelease.number)" }
        if let postRelease { text += ".post\(postRelease)" }
        if let devRelease { text += ".dev\(devRelease)" }
        if let local { text += "+" + local.map(\.description).joined(separator: ".") }
        return text
    }

    /// The release without trailing zeros, as PEP 440 compares it.
    private var significantRelease: ArraySlice<UInt64> {
        var end = release.count
        while end > 0 && release[end - 1] == 0 { end -= 1 }
        return release[..<end]
    }

    /// PEP 440's sort key for the pre-release part: a dev release of a final version before every pre-release,
    /// a final or post release after all of them.
    private var preReleaseKey: (rank: Int, phase: PreRelease?, number: UInt64) {
        if let preRelease { return (1, preRelease.phase, preRelease.number) }
        if postRelease == nil && devRelease != nil { return (0, nil, 0) }
        return (2, nil, 0)
    }

    private static func compare(_ lhs: PEP440Version, _ rhs: PEP440Version) -> Int {
        func order<T: Comparable>(_ left: T, _ right: T) -> Int { left < right ? -1 : (left > right ? 1 : 0) }
        if lhs.epoch != rhs.epoch { return order(lhs.epoch, rhs.epoch) }
        let left = lhs.significantRelease
        let right = rhs.significantRelease
        for (a, b) in zip(left, right) where a != b { return order(a, b) }
        if left.count != right.count { return order(left.count, right.count) }
        let leftPre = lhs.preReleaseKey
        let rightPre = rhs.preReleaseKey
        if leftPre.rank != rightPre.rank { return order(leftPre.rank, rightPre.rank) }
        if let a = leftPre.phase, let b = rightPre.phase, a != b { return order(a, b) }
        if leftPre.number != rightPre.number { return order(leftPre.number, rightPre.number) }
        // No post-release sorts first; no dev release sorts last.
        let leftPost = lhs.postRelease.map { Int64(clamping: $0) } ?? -1
        let rightPost = rhs.postRelease.map { Int64(clamping: $0) } ?? -1
        if leftPost != rightPost { return order(leftPost, rightPost) }
        switch (lhs.devRelease, rhs.devRelease) {
        case (nil, nil): break
        case (nil, _): return 1
        case (_, nil): return -1
        case (let a?, let b?) where a != b: return order(a, b)
        default: break
        }
        switch (lhs.local, rhs.local) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case (let a?, let b?):
            for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
            return order(a.count, b.count)
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { compare(lhs, rhs) < 0 }

    public static func == (lhs: Self, rhs: Self) -> Bool { compare(lhs, rhs) == 0 }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(epoch)
        hasher.combine(significantRelease)
        hasher.combine(preRelease?.phase)
        hasher.combine(preRelease?.number)
        hasher.combine(postRelease)
        hasher.combine(devRelease)
        hasher.combine(local)
    }
}
