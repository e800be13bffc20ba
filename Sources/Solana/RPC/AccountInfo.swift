import Foundation

/// An account as `getAccountInfo`, `getProgramAccounts` and PubSub notifications return it, with its data
/// decoded from `["<base64>", "base64"]`.
public struct AccountInfo: Sendable, Hashable, Codable {
    /// The balance, in lamports.
    public var lamports: UInt64
    /// The program that owns the account.
    public var owner: PublicKey
    /// The account data (or the requested slice of it).
    public var data: [UInt8]
    /// Whether the account holds a program.
    public var executable: Bool
    /// The epoch at which rent is next due (`u64::MAX` for rent-exempt accounts).
    public var rentEpoch: UInt64
    /// The full data length, when the node reports it (it does even when a slice was requested).
    public var space: UInt64?

    /// Creates an account value.
    public init(
        lamports: UInt64, owner: PublicKey, data: [UInt8], executable: Bool, rentEpoch: UInt64, space: UInt64?
    ) {
        self.lamports = lamports
        self.owner = owner
        self.data = data
        self.executable = executable
        self.rentEpoch = rentEpoch
        self.space = space
    }

    private enum CodingKeys: String, CodingKey {
        case lamports, owner, data, executable, rentEpoch, space
    }

    /// Decodes the value from its JSON-RPC form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        lamports = try container.decode(UInt64.self, forKey: .lamports)
        owner = try container.decode(PublicKey.self, forKey: .owner)
        executable = try container.decode(Bool.self, forKey: .executable)
        rentEpoch = try container.decodeIfPresent(UInt64.self, forKey: .rentEpoch) ?? 0
        space = try container.decodeIfPresent(UInt64.self, forKey: .space)
        data = try Self.decodeData(container: container)
    }

    private static func decodeData(container: KeyedDecodingContainer<CodingKeys>) throws -> [UInt8] {
        guard let pair = try? container.decode([String].self, forKey: .data), pair.count == 2 else {
            throw DecodingError.dataCorruptedError(
                forKey: .data, in: container,
                debugDescription: "account data is not a [\"<base64>\", \"base64\"] pair; request base64 encoding")
        }
        guard pair[1] == "base64" else {
            throw DecodingError.dataCorruptedError(
                forKey: .data, in: container, debugDescription: "account data is \(pair[1])-encoded, expected base64")
        }
        guard let bytes = Data(base64Encoded: pair[0]) else {
            throw DecodingError.dataCorruptedError(
                forKey: .data, in: container, debugDescription: "account data is not valid base64")
        }
        return [UInt8](bytes)
    }

    /// Encodes the value in its JSON-RPC form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lamports, forKey: .lamports)
        try container.encode(owner, forKey: .owner)
        try container.encode([Data(data).base64EncodedString(), "base64"], forKey: .data)
        try container.encode(executable, forKey: .executable)
        try container.encode(rentEpoch, forKey: .rentEpoch)
        try container.encodeIfPresent(space, forKey: .space)
    }
}

/// An account found by `getProgramAccounts` or a `programSubscribe` notification.
public struct ProgramAccount: Sendable, Hashable, Codable {
    /// The account's address.
    public var pubkey: PublicKey
    /// The account itself.
    public var account: AccountInfo

    /// Creates a program account value.
    public init(pubkey: PublicKey, account: AccountInfo) {
        self.pubkey = pubkey
        self.account = account
    }
}
