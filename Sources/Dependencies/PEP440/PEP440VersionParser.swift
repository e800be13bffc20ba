/// PEP 440's version grammar, as the reference implementation's `VERSION_PATTERN` reads it (case-insensitive,
/// surrounding whitespace ignored), written out by hand: each optional part is tried at the current position
/// and given back when it does not match.
enum PEP440VersionParser {
    static func parse(_ text: String) -> PEP440Version? {
        var scanner = Scanner(Array(text.lowercased().utf8))
        scanner.skipWhitespace()
        let result = scanner.version(allowLocal: true)
        scanner.skipWhitespace()
        guard let result, scanner.isAtEnd else { return nil }
        return result
    }

    /// A cursor over lower-cased ASCII bytes.
    struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        var isAtEnd: Bool { position == bytes.count }

        func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = peek(), byte == 0x20 || (0x09...0x0D).contains(byte) { position += 1 }
        }

        /// `[0-9]+`, or nil (and nothing consumed) when absent or too large.
        mutating func number() -> UInt64? {
            let start = position
            var value: UInt64 = 0
            while let byte = peek(), (0x30...0x39).contains(byte) {
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - 0x30))
                guard !overflow1 && !overflow2 else {
                    position = start
                    return nil
                }
                value = sum
                position += 1
            }
            return position > start ? value : nil
        }

        /// An optional `-`, `_` or `.`.
        mutating func separator() {
            if let byte = peek(), byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") {
                position += 1
            }
        }

        /// The first of `labels` found here (list longer labels first).
        mutating func label(_ labels: [String]) -> String? {
            for label in labels {
                let utf8 = Array(label.utf8)
                if position + utf8.count <= bytes.count && Array(bytes[position..<position + utf8.count]) == utf8 {
                    position += utf8.count
                    return label
                }
            }
            return nil
        }

        /// `[-_.]? label [-_.]? number?`; the number defaults to 0.
        mutating func labelled(_ labels: [String]) -> (label: String, number: UInt64)? {
            let start = position
            separator()
            guard let label = label(labels) else {
                position = start
                return nil
            }
            // A separator with no number after it stays consumed: the reference regex accepts `1.0a.`.
            separator()
            return (label, number() ?? 0)
        }

        /// `v? (N!)? N(.N)*`: epoch and release.
        mutating func epochAndRelease() -> (epoch: UInt64, release: [UInt64])? {
            if peek() == UInt8(ascii: "v") { position += 1 }
            let start = position
            var epoch: UInt64 = 0
            if let value = number(), peek() == UInt8(ascii: "!") {
                epoch = value
                position += 1
            } else {
                position = start
            }
            guard let first = number() else { return nil }
            var release = [first]
            while peek() == UInt8(ascii: "."), position + 1 < bytes.count, (0x30...0x39).contains(bytes[position + 1]) {
                position += 1
                guard let next = number() else { return nil }
                release.append(next)
            }
            return (epoch, release)
        }

        /// A whole version from here, stopping where its grammar ends.
        mutating func version(allowLocal: Bool) -> PEP440Version? {
            guard let (epoch, release) = epochAndRelease() else { return nil }
            var version = PEP440Version(epoch: epoch, release: release)
            if let pre = labelled(["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"]) {
                let phase: PEP440Version.PreRelease =
                    switch pre.label {
                    case "alpha", "a": .alpha
                    case "beta", "b": .beta
                    default: .releaseCandidate
                    }
                version.preRelease = (phase, pre.number)
            }
            let beforePost = position
            if peek() == UInt8(ascii: "-"), position + 1 < bytes.count, (0x30...0x39).contains(bytes[position + 1]) {
                position += 1
                guard let number = number() else { return nil }
                version.postRelease = number
            } else if let post = labelled(["post", "rev", "r"]) {
                version.postRelease = post.number
            } else {
                position = beforePost
            }
            if let dev = labelled(["dev"]) { version.devRelease = dev.number }
            if allowLocal && peek() == UInt8(ascii: "+") {
                position += 1
                guard let local = localLabel() else { return nil }
                version.local = local
            }
            return version
        }

        /// `[a-z0-9]+([-_.][a-z0-9]+)*`.
        mutating func localLabel() -> [PEP440Version.LocalPart]? {
            var parts: [PEP440Version.LocalPart] = []
            while true {
                let start = position
                while let byte = peek(), (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte) { position += 1 }
                guard position > start else { return nil }
                let part = String(decoding: bytes[start..<position], as: UTF8.self)
                if part.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = UInt64(part) {
                    parts.append(.number(number))
                } else {
                    parts.append(.word(part))
                }
                guard let byte = peek(),
                    byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                else { return parts }
                position += 1
            }
        }
    }
}
