import Foundation
import Redaction

/// Turns what uv printed when it failed into a ``DependencyError``: the job's fault when uv's resolver
/// concluded the requirements are unsatisfiable or could not read one, infrastructure otherwise. Messages
/// are cleaned of uv's layout, cut short, and redacted.
struct UVDiagnostics {
    /// The index URL, whose credentials must not appear in any message.
    var indexURL: String
    /// The longest explanation kept.
    static let maximumMessageLength = 1000

    /// The error for a uv run that exited with a failure status and printed `stderr`; `requirements` are the
    /// job's direct requirements, to name the one uv's explanation is about.
    func classify(stderr: String, requirements: [Requirement]) -> DependencyError {
        let message = clean(stderr)
        if stderr.contains("No solution found when resolving dependencies") {
            let explanation = clean(stderr, dropping: "No solution found when resolving dependencies")
            return .unsatisfiable(package: firstNamed(requirements, in: explanation), explanation: explanation)
        }
        if stderr.contains("Couldn't parse requirement") {
            return .invalidRequirement(message)
        }
        let diskFull = ["No space left on device", "os error 28", "Disk quota exceeded", "os error 122"]
        if diskFull.contains(where: stderr.contains) {
            return .diskFull(message)
        }
        let network = [
            "Failed to fetch", "error sending request", "tcp connect error", "dns error", "Connection refused",
            "operation timed out", "Request failed after", "HTTP status server error", "HTTP status client error",
            "failed to lookup address",
        ]
        if network.contains(where: stderr.contains) {
            return .indexUnavailable(message)
        }
        return .uvFailed(message)
    }

    /// `text` without `error:`/`cause:`/`hint:` layout, on one line, cut to ``maximumMessageLength``, with
    /// credentials removed; `dropping` removes a headline.
    func clean(_ text: String, dropping headline: String? = nil) -> String {
        var words: [Substring] = []
        for line in text.split(separator: "\n") {
            var rest = line.drop(while: { $0 == " " || $0 == "\t" })
            for prefix in ["error:", "cause:", "╰─▶", "warning:"] where rest.hasPrefix(prefix) {
                rest = rest.dropFirst(prefix.count)
            }
            words.append(contentsOf: rest.split(whereSeparator: \.isWhitespace))
        }
        var joined = words.joined(separator: " ")
        if let headline, joined.hasPrefix(headline) {
            joined = String(joined.dropFirst(headline.count).drop(while: { $0 == " " }))
        }
        if joined.count > Self.maximumMessageLength {
            joined = String(joined.prefix(Self.maximumMessageLength)) + "…"
        }
        return redact(joined)
    }

    /// `text` with the index URL's userinfo (as written and percent-decoded) and every URL credential
    /// replaced by `REDACTED`.
    func redact(_ text: String) -> String {
        var redacted = text
        if let userinfo = Self.userinfo(of: indexURL) {
            var secrets = [userinfo]
            if let decoded = userinfo.removingPercentEncoding { secrets.append(decoded) }
            if let colon = userinfo.firstIndex(of: ":") {
                let password = String(userinfo[userinfo.index(after: colon)...])
                if password.count >= 4 { secrets.append(password) }
                if let decoded = password.removingPercentEncoding, decoded.count >= 4 { secrets.append(decoded) }
            }
            for secret in secrets where !secret.isEmpty {
                redacted = redacted.replacingOccurrences(of: secret, with: CredentialRedaction.placeholder)
            }
        }
        return CredentialRedaction.redact(redacted)
    }

    private static func userinfo(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return nil }
        return String(authority[..<at])
    }

    /// The first of `requirements` whose name appears in `explanation` (as uv writes it, or normalized).
    private func firstNamed(_ requirements: [Requirement], in explanation: String) -> String? {
        let lowered = explanation.lowercased()
        return
            requirements
            .compactMap { requirement -> (String.Index, String)? in
                let candidates = [requirement.name.lowercased(), requirement.packageName.normalized]
                let found = candidates.compactMap { lowered.range(of: $0)?.lowerBound }.min()
                return found.map { ($0, requirement.packageName.normalized) }
            }
            .min { $0.0 < $1.0 }?.1
    }
}
