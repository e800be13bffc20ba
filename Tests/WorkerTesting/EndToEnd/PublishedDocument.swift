import Foundation

/// A result document as published: its top-level keys in the order they appear, and their values.
package struct PublishedDocument {
    package let keys: [String]
    package let stdout: String
    package let stderr: String
    package let returncode: Int
    package let executedAt: String
    package let timedOut: Bool
    package let stdoutTruncated: Bool
    package let error: String?
    /// The resolved `name==version` packages, for a job that declared dependencies.
    package let dependencies: [String]?

    /// Reads the document; throws when it is not a JSON object with the seed's four fields.
    package init(_ bytes: [UInt8]) throws {
        keys = try Self.topLevelKeys(bytes)
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let stdout = object["stdout"] as? String, let stderr = object["stderr"] as? String,
            let returncode = object["returncode"] as? Int, let executedAt = object["executed_at"] as? String
        else { throw EndToEndFailure("not a result document: \(String(decoding: bytes.prefix(300), as: UTF8.self))") }
        self.stdout = stdout
        self.stderr = stderr
        self.returncode = returncode
        self.executedAt = executedAt
        timedOut = object["timed_out"] as? Bool ?? false
        stdoutTruncated = object["stdout_truncated"] as? Bool ?? false
        error = object["error"] as? String
        dependencies = object["dependencies"] as? [String]
    }

    /// The keys of the outermost object, in order (strings are skipped with their escapes; nesting is tracked).
    package static func topLevelKeys(_ bytes: [UInt8]) throws -> [String] {
        var keys: [String] = []
        var depth = 0
        var index = 0
        var expectingKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                depth += 1
                expectingKey = depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            case UInt8(ascii: "\""):
                let start = index + 1
                index += 1
                while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                    index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard index < bytes.count else { throw EndToEndFailure("unterminated string in the document") }
                if expectingKey {
                    keys.append(String(decoding: bytes[start..<index], as: UTF8.self))
                    expectingKey = false
                }
            default:
                break
            }
            index += 1
        }
        return keys
    }
}
