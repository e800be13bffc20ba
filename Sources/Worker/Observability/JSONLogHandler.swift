import Foundation
import Logging

/// Writes one JSON object per line: `{"ts": …, "level": …, "label": …, "message": …, "job": …, "title": …, …}`
/// (metadata keys after the fixed ones, sorted).
public struct JSONLogHandler: LogHandler {
    /// The metadata of this logger.
    public var metadata: Logger.Metadata = [:]
    /// The lowest level written.
    public var logLevel: Logger.Level
    private let label: String
    private let sink: LogSink

    /// Creates a handler writing to `sink`.
    public init(label: String, level: Logger.Level, sink: LogSink) {
        self.label = label
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
        var members: [(String, OrderedJSON)] = [
            ("ts", .string(Timestamp.iso8601Microseconds(Date()))),
            ("level", .string(event.level.rawValue)),
            ("label", .string(label)),
            ("message", .string("\(event.message)")),
        ]
        let fixed = Set(members.map(\.0))
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !fixed.contains(key) {
            members.append((key, .string("\(value)")))
        }
        sink.write(String(decoding: OrderedJSON.object(members).bytes, as: UTF8.self))
    }
}
