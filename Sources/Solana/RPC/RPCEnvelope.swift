import Foundation

/// One JSON-RPC 2.0 response object, with its result decoded to `R` when it has one.
struct RPCEnvelope<R: Decodable>: Decodable {
    /// What the response object carried.
    enum Outcome {
        case result(R)
        case error(JSONRPCError)
        /// The `result` member was present but not the expected shape.
        case undecodableResult(String)
    }

    /// The request id it answers (`nil` when the node could not read the request's id).
    var id: UInt64?
    var outcome: Outcome

    private enum CodingKeys: String, CodingKey { case id, result, error }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = (try? container.decodeIfPresent(UInt64.self, forKey: .id)) ?? nil
        if let error = try container.decodeIfPresent(JSONRPCError.self, forKey: .error) {
            outcome = .error(error)
        } else if container.contains(.result) {
            do {
                outcome = .result(try container.decode(R.self, forKey: .result))
            } catch {
                outcome = .undecodableResult(describeDecodingError(error))
            }
        } else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "a JSON-RPC response has neither \"result\" nor \"error\""))
        }
    }
}

/// A one-line account of why decoding failed, naming the path in the document.
func describeDecodingError(_ error: any Error) -> String {
    guard let error = error as? DecodingError else { return String(describing: error) }
    func path(_ context: DecodingError.Context) -> String {
        let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "top level" : String(text.drop(while: { $0 == "." }))
    }
    switch error {
    case .typeMismatch(let type, let context):
        return "at \(path(context)): expected \(type): \(context.debugDescription)"
    case .valueNotFound(let type, let context):
        return "at \(path(context)): missing \(type) value"
    case .keyNotFound(let key, let context):
        return "at \(path(context)): missing member \"\(key.stringValue)\""
    case .dataCorrupted(let context):
        return "at \(path(context)): \(context.debugDescription)"
    @unknown default:
        return String(describing: error)
    }
}

/// The first characters of a body, as text, for error messages.
func bodyExcerpt<Bytes: Collection>(_ bytes: Bytes, limit: Int = 300) -> String where Bytes.Element == UInt8 {
    let text = String(decoding: bytes.prefix(limit * 4), as: UTF8.self)
    return JSONRPCError.excerpt(text.trimmingCharacters(in: .whitespacesAndNewlines), limit: limit)
}
