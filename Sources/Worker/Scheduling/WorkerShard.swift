import Crypto
import Solana

/// `WORKER_SHARD=k/n`: this worker takes only the jobs of shard `k` out of `n`.
///
/// A job belongs to shard `k` when the first 8 bytes of `sha256(job address bytes)`, read as a big-endian
/// unsigned integer, modulo `n` equal `k - 1`. Every worker computes the same assignment, so workers started
/// with `1/n` … `n/n` split the jobs without talking to each other, and each job has exactly one owner.
public struct WorkerShard: Sendable, Equatable, CustomStringConvertible {
    /// The 1-based shard index `k`.
    public let index: Int
    /// The number of shards `n`.
    public let count: Int

    /// Creates `k/n`; nil unless 1 ≤ k ≤ n.
    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `k/n`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0].trimmingWhitespace()),
            let count = Int(parts[1].trimmingWhitespace())
        else { return nil }
        self.init(index: index, count: count)
    }

    /// The 0-based shard an address hashes to, out of `count`.
    public static func shardNumber(of address: PublicKey, count: Int) -> Int {
        let digest = Array(SHA256.hash(data: address.bytes))
        let prefix = digest.prefix(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
        return Int(prefix % UInt64(count))
    }

    /// Whether the job at `address` is this worker's.
    public func owns(_ address: PublicKey) -> Bool {
        Self.shardNumber(of: address, count: count) == index - 1
    }

    /// `k/n`.
    public var description: String { "\(index)/\(count)" }
}
