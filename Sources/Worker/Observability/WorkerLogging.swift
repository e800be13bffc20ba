import Foundation
import Logging

/// Sets up swift-log for the worker.
public enum WorkerLogging {
    /// A handler factory for `format` at `level`.
    package static func makeHandler(format: LogFormat, level: Logger.Level, sink: LogSink = .standardError)
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
