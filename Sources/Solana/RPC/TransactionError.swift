/// Why Solana rejected or failed a transaction, decoded from the JSON forms RPC nodes return
/// (`"BlockhashNotFound"`, `{"InstructionError":[0,{"Custom":6003}]}`, ...).
///
/// Forms this type does not know are kept as their raw JSON text instead of failing to decode.
public enum TransactionError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// A variant without data, by its Solana name: `BlockhashNotFound`, `AlreadyProcessed`,
    /// `InsufficientFundsForFee`, `AccountNotFound`, ...
    case named(String)
    /// The instruction at `index` (0-based) failed.
    case instruction(index: Int, InstructionError)
    /// The account at `accountIndex` would be left below the rent-exempt minimum.
    case insufficientFundsForRent(accountIndex: Int)
    /// The instruction at `index` appears twice.
    case duplicateInstruction(index: Int)
    /// The account at `accountIndex` is temporarily restricted from executing programs.
    case programExecutionTemporarilyRestricted(accountIndex: Int)
    /// A form this client does not know, as compact JSON text.
    case unknown(json: String)

    /// Decodes any JSON form of a transaction error; never fails.
    public init(json: JSONValue) {
        switch json {
        case .string(let name):
            self = .named(name)
        case .object(let members) where members.count == 1:
            let (key, value) = members.first.map { ($0.key, $0.value) } ?? ("", .null)
            self = Self.decodeTagged(key: key, value: value) ?? .unknown(json: json.description)
        default:
            self = .unknown(json: json.description)
        }
    }

    private static func decodeTagged(key: String, value: JSONValue) -> TransactionError? {
        switch key {
        case "InstructionError":
            guard let pair = value.arrayValue, pair.count == 2,
                let index = pair[0].uint64Value.flatMap({ Int(exactly: $0) })
            else { return nil }
            return .instruction(index: index, InstructionError(json: pair[1]))
        case "InsufficientFundsForRent":
            return value["account_index"]?.uint64Value.flatMap { Int(exactly: $0) }.map {
                .insufficientFundsForRent(accountIndex: $0)
            }
        case "ProgramExecutionTemporarilyRestricted":
            return value["account_index"]?.uint64Value.flatMap { Int(exactly: $0) }.map {
                .programExecutionTemporarilyRestricted(accountIndex: $0)
            }
        case "DuplicateInstruction":
            return value.uint64Value.flatMap { Int(exactly: $0) }.map { .duplicateInstruction(index: $0) }
        default:
            return nil
        }
    }

    /// Decodes the value from its JSON-RPC form.
    public init(from decoder: any Decoder) throws {
        self.init(json: try JSONValue(from: decoder))
    }

    /// Encodes the value in its JSON-RPC form.
    public func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    /// The error in Solana's JSON form.
    public var json: JSONValue {
        switch self {
        case .named(let name): .string(name)
        case .instruction(let index, let error): ["InstructionError": [.integer(Int64(index)), error.json]]
        case .insufficientFundsForRent(let index):
            ["InsufficientFundsForRent": ["account_index": .integer(Int64(index))]]
        case .duplicateInstruction(let index): ["DuplicateInstruction": .integer(Int64(index))]
        case .programExecutionTemporarilyRestricted(let index):
            ["ProgramExecutionTemporarilyRestricted": ["account_index": .integer(Int64(index))]]
        case .unknown(let text): (try? JSONValue.parse(text)) ?? .string(text)
        }
    }

    /// The program's custom error code, when an instruction failed with `Custom(n)` (Anchor: 6000 and up).
    public var customErrorCode: UInt32? {
        guard case .instruction(_, .custom(let code)) = self else { return nil }
        return code
    }

    /// The transaction's blockhash is unknown to the node (expired, or the node is behind).
    public var isBlockhashNotFound: Bool { self == .named("BlockhashNotFound") }

    /// The same transaction (same signature) was already processed.
    public var isAlreadyProcessed: Bool { self == .named("AlreadyProcessed") }

    /// The fee payer cannot pay the fee, or an account would fall below rent exemption.
    public var isInsufficientFunds: Bool {
        switch self {
        case .named("InsufficientFundsForFee"), .insufficientFundsForRent: true
        default: false
        }
    }

    /// A readable account of the value.
    public var description: String {
        switch self {
        case .named(let name): name
        case .instruction(let index, let error): "instruction \(index) failed: \(error)"
        case .insufficientFundsForRent(let index): "account \(index) would be left below the rent-exempt minimum"
        case .duplicateInstruction(let index): "instruction \(index) is duplicated"
        case .programExecutionTemporarilyRestricted(let index):
            "program execution is temporarily restricted for account \(index)"
        case .unknown(let text): "transaction error \(text)"
        }
    }
}

/// Why one instruction failed.
public enum InstructionError: Sendable, Hashable, CustomStringConvertible {
    /// A program-specific error code (`{"Custom": 6003}`).
    case custom(UInt32)
    /// A variant without data, by its Solana name: `InvalidAccountData`, `MissingRequiredSignature`, ...
    case named(String)
    /// A Borsh (de)serialization failure with its message.
    case borshIoError(String)
    /// A form this client does not know, as compact JSON text.
    case unknown(json: String)

    /// Decodes any JSON form of an instruction error; never fails.
    public init(json: JSONValue) {
        switch json {
        case .string(let name):
            self = .named(name)
        case .object(let members) where members.count == 1:
            if let code = members["Custom"]?.uint64Value, let code32 = UInt32(exactly: code) {
                self = .custom(code32)
            } else if let message = members["BorshIoError"]?.stringValue {
                self = .borshIoError(message)
            } else {
                self = .unknown(json: json.description)
            }
        default:
            self = .unknown(json: json.description)
        }
    }

    /// The error in Solana's JSON form.
    public var json: JSONValue {
        switch self {
        case .custom(let code): ["Custom": .integer(Int64(code))]
        case .named(let name): .string(name)
        case .borshIoError(let message): ["BorshIoError": .string(message)]
        case .unknown(let text): (try? JSONValue.parse(text)) ?? .string(text)
        }
    }

    /// A readable account of the value.
    public var description: String {
        switch self {
        case .custom(let code): "custom program error \(code) (0x\(String(code, radix: 16)))"
        case .named(let name): name
        case .borshIoError(let message): "Borsh I/O error: \(message)"
        case .unknown(let text): "instruction error \(text)"
        }
    }
}
