import Dependencies

/// A job's PEP 723 inline script metadata, read and checked against the sandbox's interpreter.
enum DeclaredDependencies {
    /// The requirements `code` declares; nil when it declares none. Metadata that is malformed, or a
    /// `requires-python` that `interpreter` does not meet, is the job's fault.
    static func read(_ code: [UInt8], interpreter: PEP440Version?) throws(StageError) -> [Requirement]? {
        let metadata: InlineScriptMetadata?
        do {
            metadata = try InlineScriptMetadata.parse(code)
        } catch {
            throw .invalidJobInput("its PEP 723 inline script metadata is unusable: \(error)")
        }
        guard let metadata else { return nil }
        if let interpreter {
            do {
                try metadata.checkRequiresPython(interpreterVersion: interpreter)
            } catch {
                throw .invalidJobInput("\(error)")
            }
        }
        return metadata.dependencies.isEmpty ? nil : metadata.dependencies
    }
}
