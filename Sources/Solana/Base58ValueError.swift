/// Text or bytes that do not make a fixed-length Solana value: an address, a blockhash or a signature.
public struct Base58ValueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Equatable, Sendable {
        /// The text is not base58.
        case invalidBase58(Base58.DecodingError)
        /// The value has this many bytes instead of the expected length.
        case wrongLength(Int)
    }

    /// What the value should have been ("a Solana address", "a signature", ...).
    public let kind: String
    /// The length such a value has, in bytes.
    public let expectedLength: Int
    /// What is wrong.
    public let problem: Problem

    public var description: String {
        switch problem {
        case .invalidBase58(let error): "not \(kind): \(error)"
        case .wrongLength(let count): "not \(kind): decodes to \(count) bytes, expected \(expectedLength)"
        }
    }

    /// Checks that `bytes` has `length` bytes.
    static func checked<Bytes: Collection>(_ bytes: Bytes, length: Int, kind: String) throws(Base58ValueError)
        -> [UInt8]
    where Bytes.Element == UInt8 {
        guard bytes.count == length else {
            throw Base58ValueError(kind: kind, expectedLength: length, problem: .wrongLength(bytes.count))
        }
        return Array(bytes)
    }

    /// Decodes base58 `text` and checks that it has `length` bytes.
    static func decoded(_ text: String, length: Int, kind: String) throws(Base58ValueError) -> [UInt8] {
        do {
            return try checked(try Base58.decode(text), length: length, kind: kind)
        } catch let error as Base58.DecodingError {
            throw Base58ValueError(kind: kind, expectedLength: length, problem: .invalidBase58(error))
        } catch let error as Base58ValueError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }
}
