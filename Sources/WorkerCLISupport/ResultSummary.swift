import Foundation
import Solana

/// A published result document read back for display: the seed's four fields, and whatever else it holds.
///
/// Documents from other workers may carry only the four fields; extra fields are kept in order as JSON text.
public struct ResultSummary: Sendable, Hashable {
    /// Captured standard output.
    public var stdout: String
    /// Captured standard error.
    public var stderr: String
    /// The exit status (negative signal number when killed).
    public var returnCode: Int
    /// When it ran, as the document says.
    public var executedAt: String
    /// Every other member, in document order, as compact JSON text.
    public var extras: [(name: String, json: String)]

    /// The document is not a result document.
    public struct Malformed: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var problem: String
        /// Describes the problem.
        public var description: String { "the result document is not valid: \(problem)" }
    }

    /// Parses the bytes of a result document.
    public init(bytes: [UInt8]) throws(Malformed) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw Malformed(problem: "not JSON (\(bytes.count) bytes)")
        }
        guard case .object(let members) = value else { throw Malformed(problem: "not a JSON object") }
        guard case .string(let stdout)? = members["stdout"],
            case .string(let stderr)? = members["stderr"],
            case .string(let executedAt)? = members["executed_at"]
        else {
            throw Malformed(problem: "it lacks one of stdout, stderr, returncode, executed_at")
        }
        let returnCode: Int
        switch members["returncode"] {
        case .integer(let number)?: returnCode = Int(clamping: number)
        case .unsignedInteger(let number)?: returnCode = Int(clamping: number)
        default: throw Malformed(problem: "returncode is missing or not an integer")
        }
        self.stdout = stdout
        self.stderr = stderr
        self.returnCode = returnCode
        self.executedAt = executedAt
        let known: Set = ["stdout", "stderr", "returncode", "executed_at"]
        var seen: Set<String> = []
        self.extras = Self.memberOrder(of: bytes).filter {
            !known.contains($0) && seen.insert($0).inserted
        }
        .compactMap { name in members[name].map { (name, $0.description) } }
    }

    /// Compares field by field (extras by name and text).
    public static func == (lhs: ResultSummary, rhs: ResultSummary) -> Bool {
        lhs.stdout == rhs.stdout && lhs.stderr == rhs.stderr && lhs.returnCode == rhs.returnCode
            && lhs.executedAt == rhs.executedAt && lhs.extras.map(\.name) == rhs.extras.map(\.name)
            && lhs.extras.map(\.json) == rhs.extras.map(\.json)
    }

    /// Hashes the four fields.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(stdout)
        hasher.combine(stderr)
        hasher.combine(returnCode)
        hasher.combine(executedAt)
    }

    /// The top-level member names in the order the document writes them (a decoded dictionary loses it).
    static func memberOrder(of bytes: [UInt8]) -> [String] {
        var names: [String] = []
        var depth = 0
        var index = 0
        var expectingKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = byte == UInt8(ascii: "{") && depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            case UInt8(ascii: "\""):
                let start = index + 1
                index = start
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                if expectingKey,
                    let name = try? JSONDecoder().decode(
                        String.self, from: Data(bytes[(start - 1)..<min(index + 1, bytes.count)]))
                {
                    names.append(name)
                }
                expectingKey = false
            default:
                break
            }
            index += 1
        }
        return names
    }
}
