import Solana

/// A program error as reported in a transaction's logs or status: its number, name and message.
///
/// Known numbers carry the names and messages of `CloudMeshProgramError`; others keep what the log said, or
/// a generic text, so that a worker never has to print a bare number.
public struct AnchorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error number (the `Custom` value of the instruction error).
    public let code: UInt32
    /// The error's name ("JobAlreadyCompleted"), or "Unknown" when nothing names it.
    public let name: String
    /// The error's message.
    public let message: String
    /// The program that failed, when a `Program <id> failed` line said so.
    public let programId: PublicKey?

    /// Creates an error from its parts.
    public init(code: UInt32, name: String, message: String, programId: PublicKey? = nil) {
        self.code = code
        self.name = name
        self.message = message
        self.programId = programId
    }

    /// The error of a `Custom` code, named from the table when it is known.
    public init(code: UInt32, programId: PublicKey? = nil) {
        if let known = CloudMeshProgramError(code: code) {
            self.init(code: code, name: known.name, message: known.message, programId: programId)
        } else {
            self.init(
                code: code, name: "Unknown",
                message: "custom program error: 0x\(String(code, radix: 16))", programId: programId)
        }
    }

    /// The CloudMesh or Anchor error this is, when the table knows the number.
    public var known: CloudMeshProgramError? { CloudMeshProgramError(code: code) }

    /// "JobAlreadyCompleted (6003): Job is already completed".
    public var description: String { "\(name) (\(code)): \(message)" }

    /// Parses one log line: `Program log: AnchorError ... Error Code: X. Error Number: N. Error Message: M.`
    /// or `Program <id> failed: custom program error: 0x1773`; `nil` for any other line.
    public static func parse(logLine line: String) -> AnchorError? {
        parseAnchorLine(line) ?? parseFailedLine(line)
    }

    /// The program error in a transaction's logs, if there is one.
    ///
    /// An `AnchorError` line gives name and message; the `Program <id> failed` line gives the program; both
    /// are merged when they name the same number.
    public static func parse(logs: [String]) -> AnchorError? {
        let anchor = logs.lazy.compactMap(parseAnchorLine).first
        let failed = logs.lazy.compactMap(parseFailedLine).first
        switch (anchor, failed) {
        case (let anchor?, let failed?) where anchor.code == failed.code:
            return AnchorError(
                code: anchor.code, name: anchor.name, message: anchor.message, programId: failed.programId)
        case (let anchor?, _): return anchor
        case (nil, let failed): return failed
        }
    }

    /// Parses `Program log: AnchorError ... Error Code: X. Error Number: N. Error Message: M.`
    private static func parseAnchorLine(_ line: String) -> AnchorError? {
        guard line.hasPrefix("Program log: AnchorError"),
            let codeStart = line.range(of: "Error Code: "),
            let numberStart = line.range(of: ". Error Number: ", range: codeStart.upperBound..<line.endIndex),
            let messageStart = line.range(of: ". Error Message: ", range: numberStart.upperBound..<line.endIndex),
            let code = UInt32(line[numberStart.upperBound..<messageStart.lowerBound])
        else { return nil }
        let name = String(line[codeStart.upperBound..<numberStart.lowerBound])
        var message = line[messageStart.upperBound...]
        if message.hasSuffix(".") { message = message.dropLast() }
        return AnchorError(code: code, name: name, message: String(message))
    }

    /// Parses `Program <id> failed: custom program error: 0x<hex>`.
    private static func parseFailedLine(_ line: String) -> AnchorError? {
        let marker = " failed: custom program error: 0x"
        guard line.hasPrefix("Program "), let range = line.range(of: marker),
            let code = UInt32(line[range.upperBound...], radix: 16)
        else { return nil }
        let programText = String(line[line.index(line.startIndex, offsetBy: 8)..<range.lowerBound])
        return AnchorError(code: code, programId: try? PublicKey(base58: programText))
    }
}
