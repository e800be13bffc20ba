import Foundation
import Logging
import Redaction

/// Writes one line per event: `2025-10-28T10:30:00.123456+00:00 info [job=… title=…] message key=value …`.
/// The job's address and title, when in the metadata, come first in brackets; other metadata follows as
/// `key=value` pairs sorted by key.
///
/// Every event is made safe before it is written: credentials in URLs (in the message and in every metadata
/// value) are replaced by `REDACTED` (see `CredentialRedaction`), and control characters, line separators and
/// bidirectional controls are escaped (`\r`, `\n`, `\u{1B}`; see ``LogTextEscaping``), so that a job's title or
/// an error quoting a stranger's bytes can neither forge a line nor reach the terminal. Values that are empty
/// or hold whitespace, `"`, `=` or an escaped character are quoted.
package struct TextLogHandler: LogHandler {
    /// The metadata of this logger.
    package var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    package var logLevel: Logger.Level
    private let sink: LogSink

    /// Creates a handler writing to `sink`.
    package init(level: Logger.Level, sink: LogSink) {
        self.logLevel = level
        self.sink = sink
    }

    /// Reads or writes one metadata value.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one event.
    package func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line = "\(Timestamp.iso8601Microseconds(Date())) \(event.level.rawValue)"
        let jobKeys = ["job", "title"].filter { merged[$0] != nil }
        if !jobKeys.isEmpty {
            line += " [" + jobKeys.map { "\($0)=\(Self.field(merged[$0] ?? ""))" }.joined(separator: " ") + "]"
        }
        line += " " + LogTextEscaping.escaped(CredentialRedaction.redact("\(event.message)"))
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !jobKeys.contains(key) {
            line += " \(LogTextEscaping.escaped(key))=\(Self.field(value))"
        }
        sink.write(line)
    }

    /// A metadata value as written: redacted, escaped, quoted when needed.
    private static func field(_ value: Logger.Metadata.Value) -> String {
        LogTextEscaping.quoted(CredentialRedaction.redact("\(value)"))
    }
}
