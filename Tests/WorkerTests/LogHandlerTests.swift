import Foundation
import Logging
import Testing
import WorkerTesting

@testable import Worker

/// Both log handlers: credentials never reach a line, and strangers' text can neither forge a line nor reach
/// the terminal.
@Suite struct LogHandlerTests {
    static let credentialed = "https://user:hunter2@rpc.example/?api-key=SECRET123&cluster=main"
    /// A title that would return the cursor, clear the screen and reverse what follows, if written raw.
    static let hostileTitle = "job\r\u{1B}[2J\u{202E}evil\u{2028}x\u{9B}y\u{7F}\u{2066}z\u{0}"

    /// Logs one event through a handler of `format` and returns the line written.
    private func line(
        _ format: LogFormat, message: Logger.Message, metadata: Logger.Metadata = [:],
        loggerMetadata: Logger.Metadata = [:]
    ) -> String {
        let lines = Locked<[String]>([])
        let make = WorkerLogging.makeHandler(
            format: format, level: .trace, sink: LogSink { line in lines.withLock { $0.append(line) } })
        var logger = Logger(label: "test", factory: make)
        for (key, value) in loggerMetadata { logger[metadataKey: key] = value }
        logger.info(message, metadata: metadata)
        let written = lines.current
        #expect(written.count == 1)
        return written.first ?? ""
    }

    private func json(_ line: String) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: String])
    }

    @Test(arguments: [LogFormat.text, .json])
    func credentialsNeverReachALine(format: LogFormat) {
        let written = line(
            format, message: "connecting to \(Self.credentialed)",
            metadata: [
                "url": "\(Self.credentialed)",
                "error": "gateway \(Self.credentialed) answered 500",
                "urls": .array([.string(Self.credentialed)]),
                "nested": .dictionary(["pubsub": .stringConvertible(URL(string: "wss://user:hunter2@rpc.example/")!)]),
            ],
            loggerMetadata: ["endpoint": "\(Self.credentialed)"])
        #expect(!written.contains("hunter2"), "\(written)")
        #expect(!written.contains("SECRET123"), "\(written)")
        #expect(written.contains("rpc.example"))
        #expect(written.contains("cluster=main"))
        #expect(written.contains("REDACTED"))
    }

    @Test func textLinesKeepTheirShape() {
        let written = line(
            .text, message: "job settled", metadata: ["job": "J1", "title": "hello world", "cost": "1000", "empty": ""])
        let afterTimestamp = written.split(separator: " ", maxSplits: 1).last.map(String.init) ?? ""
        #expect(afterTimestamp == #"info [job=J1 title="hello world"] job settled cost=1000 empty="""#)
    }

    @Test func textEscapesControlsInMessagesAndValues() {
        let written = line(
            .text, message: "running \(Self.hostileTitle)",
            metadata: ["title": "\(Self.hostileTitle)", "cid": "Qm\u{1B}]8;;http://evil\u{7}x", "quote": "a\"b\\c"])
        for scalar in written.unicodeScalars {
            #expect(!LogTextEscaping.isEscaped(scalar), "raw U+\(String(scalar.value, radix: 16)) in \(written)")
        }
        let escapedTitle = #"job\r\u{1B}[2J\u{202E}evil\u{2028}x\u{9B}y\u{7F}\u{2066}z\u{00}"#
        #expect(written.contains(#"[title=""# + escapedTitle + #""]"#), "\(written)")
        #expect(written.contains(" running " + escapedTitle + " "), "\(written)")
        #expect(written.contains(#"cid="Qm\u{1B}]8;;http://evil\u{07}x""#), "\(written)")
        #expect(written.contains(#"quote="a\"b\\c""#), "\(written)")
        #expect(written.contains("\t") == false && written.contains("\n") == false)
    }

    @Test func jsonIsValidAndEscapesEveryControl() throws {
        let written = line(
            .json, message: "running \(Self.hostileTitle)",
            metadata: ["title": "\(Self.hostileTitle)", "tab": "a\tb\u{8}\u{C}\"\\"])
        for scalar in written.unicodeScalars {
            #expect(!LogTextEscaping.isEscaped(scalar), "raw U+\(String(scalar.value, radix: 16)) in \(written)")
        }
        #expect(written.contains(#"\r\u001b[2J\u202eevil\u2028x\u009by\u007f\u2066z\u0000"#), "\(written)")
        let object = try json(written)
        #expect(object["title"] == Self.hostileTitle)
        #expect(object["message"] == "running \(Self.hostileTitle)")
        #expect(object["tab"] == "a\tb\u{8}\u{C}\"\\")
        #expect(object["level"] == "info" && object["label"] == "test")
        #expect(written.hasPrefix(#"{"ts": ""#))
    }
}
