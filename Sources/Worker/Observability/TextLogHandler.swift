import Foundation
import Logging

/// Writes one line per event: `2025-10-28T10:30:00.123456+00:00 info [job=… title=…] message key=value …`.
/// The job's address and title, when in the metadata, come first in brackets; other metadata follows as
/// `key=value` pairs sorted by key (values with spaces or quotes are quoted).
public struct TextLogHandler: LogHandler {
    /// The metadata of this logger.
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    public var logLevel: Logger.Level
    private let sink: LogSink

    /// Creates a handler writing to `sink`.
    public init(level: Logger.Level, sink: LogSink) {
        self.logLevel = level
        self.sink = sink
    }

    /// Reads or writes one metadata value.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one event.
    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line = "\(Timestamp.iso8601Microseconds(Date())) \(event.level.rawValue)"
        let jobKeys = ["job", "title"].filter { merged[$0] != nil }
        if !jobKeys.isEmpty {
            line += " [" + jobKeys.map { "\($0)=\(Self.quoted("\(merged[$0] ?? "")"))" }.joined(separator: " ") + "]"
        }
        line += " \(event.message)"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !jobKeys.contains(key) {
            line += " \(key)=\(Self.quoted("\(value)"))"
        }
        sink.write(line)
    }

    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) else {
            return value
        }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"\(escaped)\""
    }
}
