/// A Solana CLI keypair file that could not be read or written, naming the file and the problem.
///
/// The message never contains key material.
public struct KeypairFileError: Error, Equatable, CustomStringConvertible {
    /// What is wrong with the file.
    public enum Problem: Equatable, Sendable {
        /// The file could not be read (missing, unreadable); carries the system's reason.
        case unreadable(String)
        /// The contents are not JSON.
        case notJSON
        /// The JSON is not an array of integers.
        case notAnArrayOfIntegers
        /// The array does not hold 64 numbers.
        case wrongCount(Int)
        /// The number at this index (0-based) is outside 0...255.
        case numberOutOfRange(index: Int)
        /// The second half is not the public key of the first half.
        case publicKeyMismatch
        /// The file could not be written; carries the system's reason.
        case unwritable(String)
    }

    /// The path of the keypair file.
    public let path: String
    /// What is wrong with it.
    public let problem: Problem

    /// Creates an error for `path`.
    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String {
        let reason =
            switch problem {
            case .unreadable(let why): "cannot be read: \(why)"
            case .notJSON: "is not JSON (expected an array of 64 numbers)"
            case .notAnArrayOfIntegers: "is not a JSON array of integers (expected 64 numbers from 0 to 255)"
            case .wrongCount(let count): "holds \(count) numbers, expected 64 (32-byte seed then 32-byte public key)"
            case .numberOutOfRange(let index): "has a number outside 0...255 at index \(index)"
            case .publicKeyMismatch: "is corrupt: its second half is not the public key of its first half"
            case .unwritable(let why): "cannot be written: \(why)"
            }
        return "keypair file \(path) \(reason)"
    }
}
