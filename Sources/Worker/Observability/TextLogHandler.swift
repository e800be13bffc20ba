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

/// Where log lines go: standard error by default, or a closure (tests).
public struct LogSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    /// A sink calling `write` with each line (without its newline).
    public init(_ write: @escaping @Sendable (String) -> Void) {
        self.writeLine = write
    }

    /// Standard error, one line per event.
    public static let standardError = LogSink { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func write(_ line: String) { writeLine(line) }
}

/// Sets up swift-log for the worker.
public enum WorkerLogging {
    /// A handler factory for `format` at `level`.
    public static func makeHandler(format: LogFormat, level: Logger.Level, sink: LogSink = .standardError)
        -> @Sendable (String) -> any LogHandler
    {
        { label in
            switch format {
            case .text: TextLogHandler(level: level, sink: sink)
            case .json: JSONLogHandler(label: label, level: level, sink: sink)
            }
        }
    }

    /// Bootstraps the process-wide logging system (call once, at start).
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        LoggingSystem.bootstrap(makeHandler(format: format, level: level))
    }
}
