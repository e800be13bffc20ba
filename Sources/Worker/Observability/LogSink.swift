import Foundation

/// Where log lines go: standard error by default, or a closure (tests).
public struct LogSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    /// A sink calling `write` with each line (without its newline).
    package init(_ write: @escaping @Sendable (String) -> Void) {
        self.writeLine = write
    }

    /// Standard error, one line per event.
    public static let standardError = LogSink { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func write(_ line: String) { writeLine(line) }
}
