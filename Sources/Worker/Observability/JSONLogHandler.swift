import Foundation
import Logging
import Redaction

/// Writes one JSON object per line: `{"ts": …, "level": …, "label": …, "message": …, "job": …, "title": …, …}`
/// (metadata keys after the fixed ones, sorted).
///
/// Credentials in URLs, in the message and in every metadata value, are replaced by `REDACTED` (see
/// `CredentialRedaction`); strings are escaped as ``JSONLogLine`` describes (valid JSON, and no control, line
/// separator or bidirectional control left raw).
package struct JSONLogHandler: LogHandler {
    /// The metadata of this logger.
    package var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    package var logLevel: Logger.Level
    private let label: String
    private let sink: LogSink

    /// Creates a handler writing to `sink`.
    package init(label: String, level: Logger.Level, sink: LogSink) {
        self.label = label
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
        var members: [(String, String)] = [
            ("ts", Timestamp.iso8601Microseconds(Date())),
            ("level", event.level.rawValue),
            ("label", label),
            ("message", CredentialRedaction.redact("\(event.message)")),
        ]
        let fixed = Set(members.map(\.0))
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !fixed.contains(key) {
            members.append((key, CredentialRedaction.redact("\(value)")))
        }
        sink.write(JSONLogLine.encode(members))
    }
}
