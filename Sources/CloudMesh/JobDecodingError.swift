/// Account data that is not a CloudMesh Job.
public enum JobDecodingError: Error, Equatable, CustomStringConvertible {
    /// The data has fewer than the 8 bytes of a discriminator.
    case missingDiscriminator(length: Int)
    /// The data starts with another account type's discriminator.
    case wrongDiscriminator(found: [UInt8])
    /// The discriminator matches but the fields do not decode.
    case malformed(BorshError)

    public var description: String {
        switch self {
        case .missingDiscriminator(let length): "not a Job account: only \(length) bytes, no 8-byte discriminator"
        case .wrongDiscriminator(let found):
            "not a Job account: discriminator \(found) is not \(Job.discriminator)"
        case .malformed(let error): "malformed Job account: \(error)"
        }
    }
}

/// A Job whose fields do not fit the account the program allocates.
public enum JobEncodingError: Error, Equatable, CustomStringConvertible {
    /// The serialized job has `size` bytes, more than the 308 of the account.
    case exceedsAccountSize(size: Int)

    public var description: String {
        switch self {
        case .exceedsAccountSize(let size):
            "the job serializes to \(size) bytes, more than the \(Job.accountSize)-byte account holds"
        }
    }
}
