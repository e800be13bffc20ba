@testable import IPFS

/// A DAG built by hand: its root and its distinct blocks in depth-first pre-order (what a gateway's CAR holds
/// with `dups=n`).
struct TestDAG {
    let root: CID
    let blocks: [Block]

    /// The CAR a trustless gateway would serve.
    var car: CARv1 { CARv1(roots: [root], blocks: blocks) }
}

/// DAGs a hostile job could name, and Kubo-style DAGs hashed with sha2-512.
enum TestDAGs {
    /// A UnixFS file node over `children` (sizes consistent), hashed with `hash`.
    static func fileNode(
        _ children: [(cid: CID, fileSize: UInt64)], data: [UInt8]? = nil, declaresSizes: Bool = true,
        hash: Multihash.Function = .sha256
    ) -> Block {
        let total = children.reduce(UInt64(data?.count ?? 0)) { $0 + $1.fileSize }
        let unixfs = UnixFSData(
            type: .file, data: data, fileSize: declaresSizes ? total : nil,
            blockSizes: declaresSizes ? children.map(\.fileSize) : [])
        let node = PBNode(links: children.map { PBLink(hash: $0.cid, tsize: $0.fileSize) }, data: unixfs.encoded())
        let block = node.encoded()
        return Block(cid: CID.v1(of: block, codec: .dagPB, hash: hash), data: block)
    }

    /// A DAG bomb: `depth` levels of nodes, each linking `fanout` times to the one node below, over an empty raw
    /// leaf. `depth + 1` small blocks describe `fanout^depth` leaves (all empty, so the byte cap never helps).
    static func bomb(depth: Int, fanout: Int) -> TestDAG {
        let leaf = Block(cid: CID.rawBlock([]), data: [])
        var blocks = [leaf]
        var top = leaf.cid
        for _ in 0..<depth {
            let node = fileNode(Array(repeating: (top, 0), count: fanout))
            blocks.insert(node, at: 0)
            top = node.cid
        }
        return TestDAG(root: top, blocks: blocks)
    }

    /// A chain of `length` nodes, each linking once to the next, over a one-byte raw leaf at depth `length`.
    static func chain(length: Int) -> TestDAG {
        let leaf = Block(cid: CID.rawBlock([42]), data: [42])
        var blocks = [leaf]
        var top = leaf.cid
        for _ in 0..<length {
            let node = fileNode([(top, 1)])
            blocks.insert(node, at: 0)
            top = node.cid
        }
        return TestDAG(root: top, blocks: blocks)
    }

    /// A root linking to `count` distinct raw leaves of `leafSize` bytes each.
    static func wide(count: Int, leafSize: Int = 1, declaresSizes: Bool = true) -> TestDAG {
        let leaves = (0..<count).map { index in
            let data = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: leafSize)
            return Block(cid: CID.rawBlock(data), data: data)
        }
        let root = fileNode(leaves.map { ($0.cid, UInt64(leafSize)) }, declaresSizes: declaresSizes)
        return TestDAG(root: root.cid, blocks: [root] + leaves)
    }

    /// The DAG `ipfs add --cid-version=1 --hash=<hash>` builds: fixed-size chunks, raw leaves, balanced layout
    /// with 174 links per node, every CID a v1 hashed with `hash`. A one-chunk file is its raw leaf.
    static func kuboFile(_ bytes: [UInt8], chunkSize: Int = 262_144, hash: Multihash.Function = .sha512) -> TestDAG {
        struct Node {
            let cid: CID
            let fileSize: UInt64
            let cumulativeSize: UInt64
            let blocks: [Block]
        }
        var level: [Node] = stride(from: 0, to: max(bytes.count, 1), by: chunkSize).map { start in
            let chunk = Array(bytes[start..<min(start + chunkSize, bytes.count)])
            let cid = CID.v1(of: chunk, codec: .raw, hash: hash)
            return Node(
                cid: cid, fileSize: UInt64(chunk.count), cumulativeSize: UInt64(chunk.count),
                blocks: [Block(cid: cid, data: chunk)])
        }
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: 174).map { start in
                let group = level[start..<min(start + 174, level.count)]
                let size = group.reduce(0) { $0 + $1.fileSize }
                let unixfs = UnixFSData(type: .file, fileSize: size, blockSizes: group.map(\.fileSize))
                let links = group.map { PBLink(hash: $0.cid, tsize: $0.cumulativeSize) }
                let block = PBNode(links: links, data: unixfs.encoded()).encoded()
                let cid = CID.v1(of: block, codec: .dagPB, hash: hash)
                return Node(
                    cid: cid, fileSize: size,
                    cumulativeSize: UInt64(block.count) + group.reduce(0) { $0 + $1.cumulativeSize },
                    blocks: [Block(cid: cid, data: block)] + group.flatMap(\.blocks))
            }
        }
        var seen: Set<CID> = []
        let distinct = level[0].blocks.filter { seen.insert($0.cid).inserted }
        return TestDAG(root: level[0].cid, blocks: distinct)
    }

    /// A budget that never stops a walk (only cancellation does).
    static let unlimited = RetrievalBudget(
        maxBytes: .max, maxLinkVisits: .max, maxBlocks: .max, maxDepth: RetrievalBudget.maxDepthCeiling)
}
