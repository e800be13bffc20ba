import Solana

extension Job {
    /// The `getProgramAccounts` / `programSubscribe` filters that select Job accounts: the discriminator at
    /// offset 0 and 308 bytes of data. The one definition the worker's discovery and the CLI's listing share.
    public static let accountFilters: [AccountFilter] = [
        .memcmp(offset: 0, bytes: Job.discriminator), .dataSize(UInt64(Job.accountSize)),
    ]

    /// The filter that keeps only the jobs of `owner` (the owner's key follows the discriminator).
    public static func ownerFilter(_ owner: PublicKey) -> AccountFilter {
        .memcmp(offset: 8, bytes: owner.bytes)
    }
}
