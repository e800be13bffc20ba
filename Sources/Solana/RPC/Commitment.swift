/// How settled the state a node reports (or waits for) must be.
public enum Commitment: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    /// The node's latest block; may still be rolled back.
    case processed
    /// Voted on by a supermajority of the cluster.
    case confirmed
    /// Rooted: 31+ confirmed blocks on top; will not be rolled back.
    case finalized

    private var rank: Int {
        switch self {
        case .processed: 0
        case .confirmed: 1
        case .finalized: 2
        }
    }

    /// Orders levels from least (processed) to most (finalized) settled.
    public static func < (lhs: Commitment, rhs: Commitment) -> Bool { lhs.rank < rhs.rank }
}
