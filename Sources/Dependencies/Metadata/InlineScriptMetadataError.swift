/// Why a job's inline script metadata is unusable. Every case is the job's own fault: the caller answers it
/// with an error document (``description`` is the message), never a retry.
public enum InlineScriptMetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// More than one `# /// script` block (PEP 723 makes this an error).
    case multipleScriptBlocks
    /// The block's content exceeds ``InlineScriptMetadata/maximumBlockBytes``.
    case blockTooLarge(bytes: Int, limit: Int)
    /// The block is not valid TOML (or uses a TOML feature the parser does not read, such as dates).
    case invalidTOML(TOMLError)
    /// A key has the wrong type (`dependencies = "requests"`).
    case wrongType(key: String, expected: String, found: String)
    /// More dependencies than ``InlineScriptMetadata/maximumDependencies``.
    case tooManyDependencies(count: Int, limit: Int)
    /// A string longer than ``InlineScriptMetadata/maximumRequirementBytes``.
    case valueTooLong(key: String, bytes: Int, limit: Int)
    /// A dependency that is not an acceptable PEP 508 requirement.
    case invalidRequirement(RequirementError)
    /// `requires-python` is not a list of PEP 440 specifiers.
    case invalidRequiresPython(String)
    /// The interpreter's version does not satisfy `requires-python`.
    case unsupportedPython(requiresPython: String, interpreter: String)

    /// One line naming the problem.
    public var description: String {
        switch self {
        case .multipleScriptBlocks:
            "inline script metadata: more than one '# /// script' block (PEP 723 allows one)"
        case .blockTooLarge(let bytes, let limit):
            "inline script metadata: the '# /// script' block is \(bytes) bytes, more than the limit of \(limit)"
        case .invalidTOML(let error):
            "inline script metadata: invalid TOML in the '# /// script' block, \(error)"
        case .wrongType(let key, let expected, let found):
            "inline script metadata: '\(key)' must be \(expected), found \(found)"
        case .tooManyDependencies(let count, let limit):
            "inline script metadata: \(count) dependencies, more than the limit of \(limit)"
        case .valueTooLong(let key, let bytes, let limit):
            "inline script metadata: a '\(key)' value is \(bytes) bytes, more than the limit of \(limit)"
        case .invalidRequirement(let error):
            "inline script metadata: \(error)"
        case .invalidRequiresPython(let text):
            "inline script metadata: requires-python '\(text.prefix(200))' is not a valid PEP 440 specifier set"
        case .unsupportedPython(let requiresPython, let interpreter):
            "requires-python '\(requiresPython)' is not satisfied by the worker's Python \(interpreter)"
        }
    }
}
