/// Why a set of blocks does not prove a file.
public enum VerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A block's bytes do not hash to its CID.
    case hashMismatch(CID)
    /// A block the DAG needs is absent.
    case missingBlock(CID)
    /// A block is present that the DAG does not reference.
    case unexpectedBlock(CID)
    /// The CAR's header does not name the requested root.
    case wrongRoot(expected: CID, found: [CID])
    /// The bytes served do not have the requested CID under Kubo's layout.
    case contentMismatch(expected: CID, computed: CID)
    /// A node is not a UnixFS file (a directory, symlink…) or uses a codec that cannot hold file data.
    case notAFile(CID, String)
    /// A node is malformed (bad protobuf, inconsistent sizes, too deep).
    case malformed(CID, String)
    /// The CAR itself could not be read.
    case badCAR(CARError)
    /// The file is larger than allowed.
    case tooLarge(limit: Int)

    /// A sentence an operator understands.
    public var description: String {
        switch self {
        case .hashMismatch(let cid): "block \(cid) does not hash to its CID"
        case .missingBlock(let cid): "block \(cid) is missing"
        case .unexpectedBlock(let cid): "block \(cid) is not part of the requested DAG"
        case .wrongRoot(let expected, let found):
            "CAR roots \(found.map(\.description)) do not include the requested \(expected)"
        case .contentMismatch(let expected, let computed): "content hashes to \(computed), not \(expected)"
        case .notAFile(let cid, let detail): "\(cid) is not a file: \(detail)"
        case .malformed(let cid, let detail): "block \(cid) is malformed: \(detail)"
        case .badCAR(let error): error.description
        case .tooLarge(let limit): "content is larger than the \(limit)-byte limit"
        }
    }
}

/// Reassembles a UnixFS file (or raw block) from blocks, checking every block against its CID.
public enum VerifiedDAG {
    /// Deepest DAG accepted (Kubo's 5 MiB files are 2 levels deep; 32 levels of 174 links is far beyond any file).
    static let maxDepth = 32

    /// The file bytes under `root`, from a CAR.
    ///
    /// Every block must hash to its CID, every block the DAG references must be present (identity CIDs are
    /// inline), no unreferenced block may be present, and the file may not exceed `maxBytes`.
    public static func file(root: CID, car: CARv1, maxBytes: Int) throws(VerificationError) -> [UInt8] {
        if !car.roots.isEmpty, !car.roots.contains(where: { $0.toV1() == root.toV1() }) {
            throw .wrongRoot(expected: root, found: car.roots)
        }
        return try file(root: root, blocks: car.blocks, maxBytes: maxBytes)
    }

    /// The file bytes under `root`, from blocks in any order (duplicates of a valid block are allowed).
    public static func file(root: CID, blocks: [Block], maxBytes: Int) throws(VerificationError) -> [UInt8] {
        var store: [CID: [UInt8]] = [:]
        for block in blocks {
            guard block.cid.matches(block.data) else { throw .hashMismatch(block.cid) }
            store[block.cid.toV1()] = block.data
        }
        var walker = Walker(store: store, maxBytes: maxBytes)
        _ = try walker.append(root, depth: 0)
        if let unused = blocks.first(where: { !walker.used.contains($0.cid.toV1()) }) {
            throw .unexpectedBlock(unused.cid)
        }
        return walker.output
    }

    private struct Walker {
        let store: [CID: [UInt8]]
        let maxBytes: Int
        var used: Set<CID> = []
        var decoded: [CID: (node: PBNode, unixfs: UnixFSData)] = [:]
        var output: [UInt8] = []

        /// Appends the bytes under `cid` and returns how many that was.
        mutating func append(_ cid: CID, depth: Int) throws(VerificationError) -> UInt64 {
            guard depth <= VerifiedDAG.maxDepth else {
                throw .malformed(cid, "DAG deeper than \(VerifiedDAG.maxDepth)")
            }
            let key = cid.toV1()
            let block: [UInt8]
            if cid.multihash.function == .identity {
                block = cid.multihash.digest
            } else if let stored = store[key] {
                block = stored
                used.insert(key)
            } else {
                throw .missingBlock(cid)
            }
            switch cid.codec {
            case .raw:
                try emit(block)
                return UInt64(block.count)
            case .dagPB:
                let (node, unixfs) = try decode(cid, key: key, block: block)
                var total = UInt64(unixfs.data?.count ?? 0)
                try emit(unixfs.data ?? [])
                for (index, link) in node.links.enumerated() {
                    let size = try append(link.hash, depth: depth + 1)
                    if index < unixfs.blockSizes.count, unixfs.blockSizes[index] != size {
                        throw .malformed(
                            cid, "blocksize \(index) is \(unixfs.blockSizes[index]), the child holds \(size)")
                    }
                    total += size
                }
                if let declared = unixfs.fileSize, declared != total {
                    throw .malformed(cid, "filesize is \(declared) but the node holds \(total) bytes")
                }
                return total
            case .dagCBOR, .json:
                throw .notAFile(cid, "codec \(cid.codec.name) does not hold UnixFS file data")
            }
        }

        private mutating func decode(_ cid: CID, key: CID, block: [UInt8]) throws(VerificationError) -> (
            PBNode, UnixFSData
        ) {
            if let cached = decoded[key] { return cached }
            let node: PBNode
            let unixfs: UnixFSData
            do {
                node = try PBNode(decoding: block)
                guard let data = node.data else { throw DagPBError.badUnixFS("node has no Data") }
                unixfs = try UnixFSData(decoding: data)
            } catch let error as DagPBError {
                throw .malformed(cid, error.description)
            } catch {
                throw .malformed(cid, "\(error)")
            }
            guard unixfs.type == .file || unixfs.type == .raw else {
                throw .notAFile(cid, "UnixFS type \(unixfs.type)")
            }
            if !unixfs.blockSizes.isEmpty, unixfs.blockSizes.count != node.links.count {
                throw .malformed(cid, "\(node.links.count) links but \(unixfs.blockSizes.count) blocksizes")
            }
            decoded[key] = (node, unixfs)
            return (node, unixfs)
        }

        private mutating func emit(_ bytes: [UInt8]) throws(VerificationError) {
            guard output.count + bytes.count <= maxBytes else { throw .tooLarge(limit: maxBytes) }
            output += bytes
        }
    }
}
