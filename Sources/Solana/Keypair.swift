import Crypto
import Foundation

/// An ed25519 signing key and its address, as the Solana CLI keeps it.
///
/// The secret half never appears in `description`, `debugDescription` or `dump`: they print only the address.
public struct Keypair: Sendable {
    /// The length of the secret seed, in bytes.
    public static let seedLength = 32

    /// The signing key.
    private let privateKey: Curve25519.Signing.PrivateKey

    /// The address that this keypair signs for.
    public let publicKey: PublicKey

    /// A seed that cannot become a keypair.
    public enum SeedError: Error, Equatable, CustomStringConvertible {
        /// The seed does not have 32 bytes.
        case wrongLength(Int)

        public var description: String {
            switch self {
            case .wrongLength(let count): "an ed25519 seed has 32 bytes, got \(count)"
            }
        }
    }

    /// Generates a fresh keypair from the system's secure random source.
    public static func generate() -> Keypair {
        Keypair(privateKey: Curve25519.Signing.PrivateKey())
    }

    /// Derives the keypair of a 32-byte ed25519 seed (the first half of a Solana CLI keypair file).
    public init<Bytes: Collection>(seed: Bytes) throws(SeedError) where Bytes.Element == UInt8 {
        guard seed.count == Self.seedLength,
            let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: Array(seed))
        else { throw .wrongLength(seed.count) }
        self.init(privateKey: privateKey)
    }

    private init(privateKey: Curve25519.Signing.PrivateKey) {
        self.privateKey = privateKey
        self.publicKey = PublicKey(uncheckedBytes: Array(privateKey.publicKey.rawRepresentation))
    }

    /// The 32-byte secret seed; kept inside the module so that only the keypair file writer sees it.
    var seed: [UInt8] { Array(privateKey.rawRepresentation) }

    /// Signs a message with deterministic ed25519 (RFC 8032), as Solana signs transaction messages.
    public func sign(_ message: [UInt8]) -> Signature {
        // Signing with a valid in-memory key cannot fail; an ed25519 signature is always 64 bytes.
        guard let raw = try? privateKey.signature(for: message) else { preconditionFailure("ed25519 signing failed") }
        return Signature(uncheckedBytes: Array(raw))
    }
}

extension Keypair: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Only the address: the secret half is never printed.
    public var description: String { "Keypair(\(publicKey.base58))" }

    /// Only the address: the secret half is never printed.
    public var debugDescription: String { description }

    /// Shows only the address to `dump` and debuggers.
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey], displayStyle: .struct) }
}

extension PublicKey {
    /// Checks an ed25519 signature made by this address over `message`.
    public func verify(signature: Signature, message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else { return false }
        return key.isValidSignature(signature.bytes, for: message)
    }
}
