/// A job's PEP 723 inline script metadata: the `# /// script` block's `dependencies` and `requires-python`.
///
/// ```python
/// # /// script
/// # requires-python = ">=3.11"
/// # dependencies = ["requests<3", "rich"]
/// # ///
/// ```
///
/// Only blocks of type `script` count; blocks of other types are ignored, two `script` blocks are an error.
/// Other keys (`[tool.*]` tables) are parsed as TOML, so a malformed document is refused, and then ignored.
public struct InlineScriptMetadata: Sendable, Equatable {
    /// The largest `script` block content accepted, in bytes (TOML text after the `# ` prefixes are removed).
    public static let maximumBlockBytes = 64 * 1024
    /// The most dependencies one job may list.
    public static let maximumDependencies = 256
    /// The longest dependency string, and the longest `requires-python`, in UTF-8 bytes.
    public static let maximumRequirementBytes = 1024

    /// The `dependencies` array, parsed (empty when the key is absent).
    public var dependencies: [Requirement]
    /// The `requires-python` specifiers, or nil when the key is absent.
    public var requiresPython: VersionSpecifierSet?

    /// Creates metadata from its parts.
    public init(dependencies: [Requirement], requiresPython: VersionSpecifierSet?) {
        self.dependencies = dependencies
        self.requiresPython = requiresPython
    }

    /// The metadata of `code` (a Python source file, UTF-8), or nil when it has no `script` block. Code without
    /// the text `# /// script` anywhere returns nil after one substring search.
    public static func parse(_ code: [UInt8]) throws(InlineScriptMetadataError) -> InlineScriptMetadata? {
        guard ScriptBlockScanner.mayContainScriptBlock(code) else { return nil }
        let scripts = ScriptBlockScanner.blocks(in: code).filter { $0.type == "script" }
        guard let block = scripts.first else { return nil }
        guard scripts.count == 1 else { throw .multipleScriptBlocks }
        guard block.content.utf8.count <= maximumBlockBytes else {
            throw .blockTooLarge(bytes: block.content.utf8.count, limit: maximumBlockBytes)
        }
        let table: [String: TOMLValue]
        do {
            table = try TOMLParser.parse(block.content)
        } catch {
            throw .invalidTOML(error)
        }
        return try InlineScriptMetadata(table: table)
    }

    /// The metadata of `code`, as for the UTF-8 bytes of it.
    public static func parse(_ code: String) throws(InlineScriptMetadataError) -> InlineScriptMetadata? {
        try parse(Array(code.utf8))
    }

    /// Reads `dependencies` and `requires-python` from the block's TOML table.
    init(table: [String: TOMLValue]) throws(InlineScriptMetadataError) {
        var dependencies: [Requirement] = []
        switch table["dependencies"] {
        case nil:
            break
        case .array(let items)?:
            guard items.count <= Self.maximumDependencies else {
                throw .tooManyDependencies(count: items.count, limit: Self.maximumDependencies)
            }
            for item in items {
                guard case .string(let text) = item else {
                    throw .wrongType(
                        key: "dependencies", expected: "an array of strings", found: "an array holding \(item.typeName)"
                    )
                }
                guard text.utf8.count <= Self.maximumRequirementBytes else {
                    throw .valueTooLong(
                        key: "dependencies", bytes: text.utf8.count, limit: Self.maximumRequirementBytes)
                }
                do {
                    dependencies.append(try Requirement(parsing: text))
                } catch {
                    throw .invalidRequirement(error)
                }
            }
        case let other?:
            throw .wrongType(key: "dependencies", expected: "an array of strings", found: other.typeName)
        }
        var requiresPython: VersionSpecifierSet?
        switch table["requires-python"] {
        case nil:
            break
        case .string(let text)?:
            guard text.utf8.count <= Self.maximumRequirementBytes else {
                throw .valueTooLong(key: "requires-python", bytes: text.utf8.count, limit: Self.maximumRequirementBytes)
            }
            guard let specifiers = VersionSpecifierSet(text) else { throw .invalidRequiresPython(text) }
            requiresPython = specifiers
        case let other?:
            throw .wrongType(key: "requires-python", expected: "a string", found: other.typeName)
        }
        self.init(dependencies: dependencies, requiresPython: requiresPython)
    }

    /// Checks `requires-python` against the interpreter the job runs with; nothing to check passes.
    public func checkRequiresPython(interpreterVersion: PEP440Version) throws(InlineScriptMetadataError) {
        guard let requiresPython, !requiresPython.contains(interpreterVersion) else { return }
        throw .unsupportedPython(
            requiresPython: requiresPython.description, interpreter: interpreterVersion.description)
    }
}
