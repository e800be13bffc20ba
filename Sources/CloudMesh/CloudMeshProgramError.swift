/// The errors the CloudMesh program (and the Anchor framework under it) returns as custom program errors.
public enum CloudMeshProgramError: UInt32, Error, Sendable, CaseIterable, CustomStringConvertible {
    /// 101: the instruction discriminator matches no instruction.
    case instructionFallbackNotFound = 101
    /// 2006: the job account is not the PDA of its seeds.
    case constraintSeeds = 2006
    /// 3001: the account has no discriminator.
    case accountDiscriminatorNotFound = 3001
    /// 3002: the account has another type's discriminator.
    case accountDiscriminatorMismatch = 3002
    /// 3004: the account's new contents do not fit (the result CID capacity trap).
    case accountDidNotSerialize = 3004
    /// 3007: the account belongs to another program.
    case accountOwnedByWrongProgram = 3007
    /// 3010: a required signer did not sign.
    case accountNotSigner = 3010
    /// 3012: the job account does not exist.
    case accountNotInitialized = 3012
    /// 6000: the title is not 1 to 100 bytes.
    case invalidTitle = 6000
    /// 6001: a CID is not 1 to 100 bytes.
    case invalidCID = 6001
    /// 6002: the cost is 0.
    case invalidCost = 6002
    /// 6003: the job was already completed (another worker won).
    case jobAlreadyCompleted = 6003
    /// 6004: the job was cancelled.
    case jobCancelled = 6004
    /// 6005: the job was already cancelled.
    case jobAlreadyCancelled = 6005
    /// 6006: the status change is not allowed.
    case invalidStatusTransition = 6006
    /// 6007: the payment was already marked.
    case alreadyPaid = 6007
    /// 6008: only the owner may do this.
    case unauthorized = 6008

    /// The error with this number, if CloudMesh or Anchor defines it here.
    public init?(code: UInt32) { self.init(rawValue: code) }

    /// The error number (`Custom` value).
    public var code: UInt32 { rawValue }

    /// Whether Anchor, not the CloudMesh program, defines the error (codes below 6000).
    public var isFrameworkError: Bool { rawValue < 6000 }

    /// The error's name, as the program logs it.
    public var name: String {
        switch self {
        case .instructionFallbackNotFound: "InstructionFallbackNotFound"
        case .constraintSeeds: "ConstraintSeeds"
        case .accountDiscriminatorNotFound: "AccountDiscriminatorNotFound"
        case .accountDiscriminatorMismatch: "AccountDiscriminatorMismatch"
        case .accountDidNotSerialize: "AccountDidNotSerialize"
        case .accountOwnedByWrongProgram: "AccountOwnedByWrongProgram"
        case .accountNotSigner: "AccountNotSigner"
        case .accountNotInitialized: "AccountNotInitialized"
        case .invalidTitle: "InvalidTitle"
        case .invalidCID: "InvalidCID"
        case .invalidCost: "InvalidCost"
        case .jobAlreadyCompleted: "JobAlreadyCompleted"
        case .jobCancelled: "JobCancelled"
        case .jobAlreadyCancelled: "JobAlreadyCancelled"
        case .invalidStatusTransition: "InvalidStatusTransition"
        case .alreadyPaid: "AlreadyPaid"
        case .unauthorized: "Unauthorized"
        }
    }

    /// The error's message, as the program logs it.
    public var message: String {
        switch self {
        case .instructionFallbackNotFound: "Fallback functions are not supported"
        case .constraintSeeds: "A seeds constraint was violated"
        case .accountDiscriminatorNotFound: "No 8 byte discriminator was found on the account"
        case .accountDiscriminatorMismatch: "8 byte discriminator did not match what was expected"
        case .accountDidNotSerialize: "Failed to serialize the account"
        case .accountOwnedByWrongProgram: "The given account is owned by a different program than expected"
        case .accountNotSigner: "The given account did not sign"
        case .accountNotInitialized: "The program expected this account to be already initialized"
        case .invalidTitle: "Title must be between 1 and 100 characters"
        case .invalidCID: "CID must be between 1 and 100 characters"
        case .invalidCost: "Cost must be greater than 0"
        case .jobAlreadyCompleted: "Job is already completed"
        case .jobCancelled: "Job has been cancelled"
        case .jobAlreadyCancelled: "Job is already cancelled"
        case .invalidStatusTransition: "Invalid status transition"
        case .alreadyPaid: "Payment already marked as paid"
        case .unauthorized: "Unauthorized: Only owner can perform this action"
        }
    }

    /// "JobAlreadyCompleted (6003): Job is already completed".
    public var description: String { "\(name) (\(code)): \(message)" }
}
