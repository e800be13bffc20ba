import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Keypair {
    /// Reads a Solana CLI keypair file: a JSON array of 64 numbers, the 32-byte seed then the public key.
    ///
    /// Checks that the public half belongs to the seed.
    public init(contentsOfFile path: String) throws(KeypairFileError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw KeypairFileError(path: path, problem: .unreadable(Self.reason(of: error)))
        }
        try self.init(fileContents: data, path: path)
    }

    /// Parses the contents of a Solana CLI keypair file; `path` names the file in errors.
    public init(fileContents data: Data, path: String) throws(KeypairFileError) {
        let numbers: [Int]
        do {
            numbers = try JSONDecoder().decode([Int].self, from: data)
        } catch {
            let isJSON = (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil
            throw KeypairFileError(path: path, problem: isJSON ? .notAnArrayOfIntegers : .notJSON)
        }
        guard numbers.count == 2 * Self.seedLength else {
            throw KeypairFileError(path: path, problem: .wrongCount(numbers.count))
        }
        if let index = numbers.firstIndex(where: { !(0...255).contains($0) }) {
            throw KeypairFileError(path: path, problem: .numberOutOfRange(index: index))
        }
        let bytes = numbers.map { UInt8($0) }
        let keypair: Keypair
        do {
            keypair = try Keypair(seed: bytes[..<Self.seedLength])
        } catch {
            throw KeypairFileError(path: path, problem: .wrongCount(numbers.count))
        }
        guard keypair.publicKey.bytes.elementsEqual(bytes[Self.seedLength...]) else {
            throw KeypairFileError(path: path, problem: .publicKeyMismatch)
        }
        self = keypair
    }

    /// The Solana CLI file form of this keypair: a JSON array of the seed then the public key.
    var fileContents: Data {
        let numbers = (seed + publicKey.bytes).map(String.init).joined(separator: ",")
        return Data("[\(numbers)]".utf8)
    }

    /// Writes the keypair as a Solana CLI keypair file readable only by its owner (mode 0600).
    ///
    /// The write is atomic: the bytes go to a temporary file in the same directory, which is then renamed
    /// over `path`, so a crash leaves either the old file or the new one, never a partial one.
    public func save(toFile path: String) throws(KeypairFileError) {
        let temporaryPath = "\(path).tmp-\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw KeypairFileError(path: path, problem: .unwritable(Self.systemError())) }
        var failure: String?
        if fchmod(descriptor, 0o600) != 0 { failure = Self.systemError() }
        let contents = Array(fileContents)
        var written = 0
        while failure == nil && written < contents.count {
            let result = contents[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno != EINTR { failure = Self.systemError() }
            } else {
                written += result
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = Self.systemError() }
        if close(descriptor) != 0 && failure == nil { failure = Self.systemError() }
        if failure == nil && rename(temporaryPath, path) != 0 { failure = Self.systemError() }
        if let failure {
            unlink(temporaryPath)
            throw KeypairFileError(path: path, problem: .unwritable(failure))
        }
    }

    /// The text of the current `errno`.
    private static func systemError() -> String { String(cString: strerror(errno)) }

    /// A short reason for a Foundation file error.
    private static func reason(of error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        return nsError.localizedDescription
    }
}
