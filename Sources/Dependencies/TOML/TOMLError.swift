/// Why a TOML document could not be read: the line (1-based, within the document) and what is wrong there.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line, counted from 1, where the problem was found.
    public var line: Int
    /// What is wrong, in a few words.
    public var reason: String

    /// Creates an error for `line` with `reason`.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// "line N: reason".
    public var description: String { "line \(line): \(reason)" }
}
