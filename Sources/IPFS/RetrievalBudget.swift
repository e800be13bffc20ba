/// Limits on the work one verified retrieval may cause, so a hostile CID cannot stall the worker.
///
/// A dag-pb DAG may link to the same block many times: a few hundred bytes of blocks, each node linking
/// twice to one child 30 levels deep, describe 2³⁰ leaves. Walking that DAG is exponential unless every
/// step is counted, so `VerifiedDAG` enforces four limits while it walks:
///
/// - `maxLinkVisits`: links followed, counting every visit (a block linked 1,000 times costs 1,000);
/// - `maxBlocks`: distinct blocks used (identity CIDs are inline and not counted), also enforced while a
///   CAR is read, which stops as soon as it holds one block more than this;
/// - `maxDepth`: levels below the root;
/// - `maxBytes`: size of the file, checked against every node's declared `filesize` before its children are
///   walked and against the bytes actually produced.
///
/// ## Defaults: every file Kubo can produce up to `maxBytes` is accepted
///
/// - Link visits, `2 · maxBytes + 1,024`. Kubo's chunkers never emit an empty chunk (only the empty file
///   has an empty leaf), so a file of `n` bytes has at most `n` leaves even with `--chunker=size-1`.
///   Kubo adds an internal node only above data, with up to 174 links, in both the balanced and the trickle
///   layout: at most one internal node per leaf (really about one per 173, plus a single-child chain at the
///   tail no deeper than the DAG). A DAG of `n` leaves thus has fewer than `2n + 1` nodes, and as many link
///   visits, however many chunks repeat (a mebibyte of zeros in 1-byte chunks is 6 distinct blocks but
///   1,054,638 visits). With the default 1 MiB cap the limit is 2,098,176 visits, about 1.5 s of one core in
///   a debug build (revisiting a node costs no hashing), where a depth-30 bomb of two links per node would
///   need 2³¹ - 2.
/// - Distinct blocks, `maxBytes / 16 + 2,048`. A gateway's CAR is capped at `2 · maxBytes + 64 KiB`
///   (`GatewayFetcher.maxCARBytes`) and each block section holding at least one byte takes at least 38 bytes
///   (length varint, a 36-byte CIDv1 or a 34-byte CIDv0 with a longer dag-pb leaf, the data), so no CAR the
///   fetcher accepts holds more than `(2 · maxBytes + 64 KiB) / 38 + 1` blocks, which is below the default.
///   (1 MiB: 67,584.)
/// - Depth, 32. Kubo's balanced DAGs are `⌈log₁₇₄ leaves⌉` deep (3 levels for a million 1-byte chunks);
///   the trickle layout (`--trickle`) holds `174 · 5ᵈ` leaves in `d + 1` levels, 15 levels for a terabyte
///   in 1-byte chunks. Values above `maxDepthCeiling` (256) are lowered to it, because the walk recurses
///   once per level.
/// - Bytes, `GatewayFetcher.defaultMaxBytes` (1 MiB); the worker passes `MAX_CODE_BYTES`.
public struct RetrievalBudget: Hashable, Sendable, CustomStringConvertible {
    /// The four limits, named as errors print them.
    public enum Limit: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// Links followed, every visit counted.
        case linkVisits = "link visits"
        /// Distinct (non-identity) blocks.
        case blocks = "distinct blocks"
        /// Levels below the root.
        case depth = "depth"
        /// File bytes.
        case bytes = "bytes"

        /// The limit's name, as `rawValue`.
        public var description: String { rawValue }
    }

    /// A limit that a DAG exceeded: which one, its value, and how far the walk got when it stopped.
    public struct Breach: Hashable, Sendable, CustomStringConvertible {
        /// The limit exceeded.
        public let limit: Limit
        /// The limit's value in the budget.
        public let allowed: Int
        /// What was seen when the walk stopped (for bytes, possibly a node's declared `filesize`).
        public let seen: UInt64

        /// A breach.
        public init(limit: Limit, allowed: Int, seen: UInt64) {
            self.limit = limit
            self.allowed = allowed
            self.seen = seen
        }

        /// A sentence an operator understands.
        public var description: String {
            "retrieval budget exceeded: \(limit) limit is \(allowed), the DAG reached \(seen)"
        }
    }

    /// The default depth limit.
    public static let defaultMaxDepth = 32
    /// The largest depth limit accepted (the walk recurses once per level).
    public static let maxDepthCeiling = 256

    /// Most links followed, counting every visit.
    public let maxLinkVisits: Int
    /// Most distinct blocks used (identity CIDs excluded).
    public let maxBlocks: Int
    /// Most levels below the root.
    public let maxDepth: Int
    /// Largest file, in bytes.
    public let maxBytes: Int

    /// A budget; limits left `nil` get the defaults for `maxBytes` (see the type's documentation).
    /// Negative values count as 0; `maxDepth` is lowered to `maxDepthCeiling`.
    public init(
        maxBytes: Int = GatewayFetcher.defaultMaxBytes, maxLinkVisits: Int? = nil, maxBlocks: Int? = nil,
        maxDepth: Int = RetrievalBudget.defaultMaxDepth
    ) {
        let bytes = max(0, maxBytes)
        self.maxBytes = bytes
        self.maxLinkVisits = max(0, maxLinkVisits ?? Self.defaultLinkVisits(maxBytes: bytes))
        self.maxBlocks = max(0, maxBlocks ?? Self.defaultBlocks(maxBytes: bytes))
        self.maxDepth = min(max(0, maxDepth), Self.maxDepthCeiling)
    }

    /// The default link-visit limit for a byte cap: `2 · maxBytes + 1,024` (saturating).
    public static func defaultLinkVisits(maxBytes: Int) -> Int {
        let doubled = max(0, maxBytes).multipliedReportingOverflow(by: 2)
        if doubled.overflow { return .max }
        let total = doubled.partialValue.addingReportingOverflow(1_024)
        return total.overflow ? .max : total.partialValue
    }

    /// The default distinct-block limit for a byte cap: `maxBytes / 16 + 2,048`.
    public static func defaultBlocks(maxBytes: Int) -> Int {
        max(0, maxBytes) / 16 + 2_048
    }

    /// The same budget with the byte cap lowered to `cap` when `cap` is smaller.
    public func capping(bytes cap: Int) -> RetrievalBudget {
        RetrievalBudget(
            maxBytes: min(maxBytes, cap), maxLinkVisits: maxLinkVisits, maxBlocks: maxBlocks, maxDepth: maxDepth)
    }

    /// The limits, for logs.
    public var description: String {
        "link visits ≤ \(maxLinkVisits), distinct blocks ≤ \(maxBlocks), depth ≤ \(maxDepth), bytes ≤ \(maxBytes)"
    }

    /// The breach of `limit` with `seen`.
    func breach(_ limit: Limit, seen: UInt64) -> Breach {
        let allowed =
            switch limit {
            case .linkVisits: maxLinkVisits
            case .blocks: maxBlocks
            case .depth: maxDepth
            case .bytes: maxBytes
            }
        return Breach(limit: limit, allowed: allowed, seen: seen)
    }
}
