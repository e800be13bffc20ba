/// Builds the UnixFS DAG of a file exactly as Kubo's `ipfs add` does with a fixed-size chunker and the
/// balanced layout, so the root CID equals Kubo's for the same bytes.
public struct UnixFSFileBuilder: Sendable {
    /// The two layouts Kubo uses by default.
    public enum Layout: Sendable, Hashable {
        /// `ipfs add` (CIDv0): leaves are dag-pb UnixFS File nodes, every CID is v0.
        case v0
        /// `ipfs add --cid-version=1`: raw leaves, CIDv1 dag-pb internal nodes; a one-chunk file is a raw CID.
        case v1RawLeaves
    }

    /// Kubo's default chunk size (`size-262144`).
    public static let defaultChunkSize = 262_144
    /// Kubo's default maximum number of links per node in the balanced layout.
    public static let defaultMaxLinks = 174

    /// The layout.
    public var layout: Layout
    /// Bytes per leaf.
    public var chunkSize: Int
    /// Links per internal node.
    public var maxLinks: Int

    /// A builder; the defaults are Kubo's. Sizes below 1 (chunk) or 2 (links) are raised to those minimums.
    public init(layout: Layout, chunkSize: Int = defaultChunkSize, maxLinks: Int = defaultMaxLinks) {
        self.layout = layout
        self.chunkSize = max(1, chunkSize)
        self.maxLinks = max(2, maxLinks)
    }

    /// The layout Kubo would use for a CID of this version.
    public init(for cid: CID) {
        self.init(layout: cid.version == .v0 ? .v0 : .v1RawLeaves)
    }

    /// The root CID Kubo gives `bytes`.
    public func cid(of bytes: [UInt8]) -> CID {
        build(bytes, collectBlocks: false).root
    }

    /// The whole DAG: root CID and every block in depth-first pre-order (the order of a Kubo CAR export).
    public func build(_ bytes: [UInt8]) -> UnixFSDAG {
        build(bytes, collectBlocks: true)
    }

    private struct Node {
        let cid: CID
        let fileSize: UInt64
        let cumulativeSize: UInt64
        let blocks: [Block]
    }

    private func build(_ bytes: [UInt8], collectBlocks: Bool) -> UnixFSDAG {
        var level: [Node] = stride(from: 0, to: max(bytes.count, 1), by: chunkSize).map { start in
            leaf(Array(bytes[start..<min(start + chunkSize, bytes.count)]), collectBlocks: collectBlocks)
        }
        // Grouping bottom-up in runs of maxLinks gives the same tree as Kubo's balanced builder,
        // which fills each subtree completely before starting the next.
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: maxLinks).map { start in
                parent(Array(level[start..<min(start + maxLinks, level.count)]), collectBlocks: collectBlocks)
            }
        }
        let root = level[0]
        return UnixFSDAG(root: root.cid, cumulativeSize: root.cumulativeSize, blocks: root.blocks)
    }

    private func leaf(_ chunk: [UInt8], collectBlocks: Bool) -> Node {
        switch layout {
        case .v1RawLeaves:
            let cid = CID.rawBlock(chunk)
            return Node(
                cid: cid, fileSize: UInt64(chunk.count), cumulativeSize: UInt64(chunk.count),
                blocks: collectBlocks ? [Block(cid: cid, data: chunk)] : [])
        case .v0:
            let unixfs = UnixFSData(type: .file, data: chunk, fileSize: UInt64(chunk.count))
            let block = PBNode(data: unixfs.encoded()).encoded()
            let cid = CID.of(block: block, codec: .dagPB, version: .v0)
            return Node(
                cid: cid, fileSize: UInt64(chunk.count), cumulativeSize: UInt64(block.count),
                blocks: collectBlocks ? [Block(cid: cid, data: block)] : [])
        }
    }

    private func parent(_ children: [Node], collectBlocks: Bool) -> Node {
        let fileSize = children.reduce(0) { $0 + $1.fileSize }
        let unixfs = UnixFSData(type: .file, fileSize: fileSize, blockSizes: children.map(\.fileSize))
        let links = children.map { PBLink(hash: $0.cid, name: "", tsize: $0.cumulativeSize) }
        let block = PBNode(links: links, data: unixfs.encoded()).encoded()
        let cid = CID.of(block: block, codec: .dagPB, version: layout == .v0 ? .v0 : .v1)
        let below = children.reduce(0) { $0 + $1.cumulativeSize }
        let blocks = collectBlocks ? [Block(cid: cid, data: block)] + children.flatMap(\.blocks) : []
        return Node(cid: cid, fileSize: fileSize, cumulativeSize: UInt64(block.count) + below, blocks: blocks)
    }
}

/// A built UnixFS file DAG.
public struct UnixFSDAG: Sendable, Hashable {
    /// The root CID.
    public let root: CID
    /// The cumulative size of all blocks (Kubo's `Size` in `ipfs add` output and the root link's Tsize).
    public let cumulativeSize: UInt64
    /// Every block, depth-first pre-order, root first.
    public let blocks: [Block]

    /// The DAG as a CARv1 with the root as its only root.
    public var car: CARv1 { CARv1(roots: [root], blocks: blocks) }
}
