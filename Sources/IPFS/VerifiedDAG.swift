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
    /// Plain file bytes served in place of a trustless response are larger than allowed.
    case tooLarge(limit: Int)
    /// The DAG under the CID exceeds a limit of the `RetrievalBudget` (found while walking verified blocks, so
    /// any gateway would give the same answer).
    case budgetExceeded(RetrievalBudget.Breach)
    /// The calling task was cancelled during the walk.
    case cancelled

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
        case .budgetExceeded(let breach): breach.description
        case .cancelled: "verification cancelled"
        }
    }
}

/// Reassembles a UnixFS file (or raw block) from blocks, checking every block against its CID.
///
/// The walk is bounded by a `RetrievalBudget` (link visits, distinct blocks, depth, bytes) and checks for
/// cancellation at every block, so a DAG that links to the same blocks over and over cannot stall a thread.
public enum VerifiedDAG {
    /// The file bytes under `root`, from an encoded CAR (what a trustless gateway serves).
    ///
    /// The CAR is read only up to one block past `budget.maxBlocks` distinct blocks. If the blocks read prove
    /// that the DAG exceeds the budget, that breach is thrown (`budgetExceeded`: the same at any gateway);
    /// otherwise a CAR cut short is rejected as `badCAR(.tooManyBlocks)` (this CAR's fault, not the DAG's).
    public static func file(
        root: CID, carBytes: [UInt8], budget: RetrievalBudget, cancellation: VerificationCancellation? = nil
    ) throws(VerificationError) -> [UInt8] {
        let read: (car: CARv1, stoppedEarly: Bool)
        do { read = try CARv1.read(carBytes, stopAfterDistinct: budget.maxBlocks) } catch { throw .badCAR(error) }
        do {
            return try file(root: root, car: read.car, budget: budget, cancellation: cancellation)
        } catch {
            switch error {
            case .budgetExceeded, .cancelled, .hashMismatch, .wrongRoot: throw error
            default:
                // A CAR over the block limit can only verify by exceeding the budget (a DAG within it uses
                // fewer distinct blocks than were read): anything else means the CAR holds extra blocks.
                if read.stoppedEarly { throw .badCAR(.tooManyBlocks(limit: budget.maxBlocks)) }
                throw error
            }
        }
    }

    /// The file bytes under `root`, from a CAR.
    ///
    /// Every block must hash to its CID, every block the DAG references must be present (identity CIDs are
    /// inline), no unreferenced block may be present, and the walk must stay within `budget`.
    public static func file(
        root: CID, car: CARv1, budget: RetrievalBudget, cancellation: VerificationCancellation? = nil
    ) throws(VerificationError) -> [UInt8] {
        if !car.roots.isEmpty, !car.roots.contains(where: { $0.toV1() == root.toV1() }) {
            throw .wrongRoot(expected: root, found: car.roots)
        }
        return try file(root: root, blocks: car.blocks, budget: budget, cancellation: cancellation)
    }

    /// The file bytes under `root`, from blocks in any order (duplicates of a valid block are allowed).
    public static func file(
        root: CID, blocks: [Block], budget: RetrievalBudget, cancellation: VerificationCancellation? = nil
    ) throws(VerificationError) -> [UInt8] {
        var index: [CID: Int] = [:]
        var data: [[UInt8]] = []
        for block in blocks {
            guard block.cid.matches(block.data) else { throw .hashMismatch(block.cid) }
            let key = block.cid.toV1()
            if index[key] == nil {
                index[key] = data.count
                data.append(block.data)
            }
        }
        var walker = Walker(index: index, blocks: data, budget: budget, cancellation: cancellation)
        _ = try walker.append(root, depth: 0)
        if let unused = blocks.first(where: { block in index[block.cid.toV1()].map { !walker.used[$0] } ?? true }) {
            throw .unexpectedBlock(unused.cid)
        }
        return walker.output
    }

    /// `file(root:car:budget:)` with the default budget for `maxBytes`.
    public static func file(root: CID, car: CARv1, maxBytes: Int) throws(VerificationError) -> [UInt8] {
        try file(root: root, car: car, budget: RetrievalBudget(maxBytes: maxBytes))
    }

    /// `file(root:blocks:budget:)` with the default budget for `maxBytes`.
    public static func file(root: CID, blocks: [Block], maxBytes: Int) throws(VerificationError) -> [UInt8] {
        try file(root: root, blocks: blocks, budget: RetrievalBudget(maxBytes: maxBytes))
    }

    /// A dag-pb node and its UnixFS data, decoded once, with where each link's block is stored.
    private struct Decoded {
        let node: PBNode
        let unixfs: UnixFSData
        /// For each link, the child's position in the stored blocks (`nil`: inline or absent).
        let children: [Int?]
    }

    private struct Walker {
        /// Where each stored block is in `blocks`, by CIDv1.
        let index: [CID: Int]
        let blocks: [[UInt8]]
        let budget: RetrievalBudget
        /// Cancellation from outside a task (verification runs on a thread of its own).
        let cancellation: VerificationCancellation?
        /// Which stored blocks were visited (identity CIDs are inline and not counted).
        var used: [Bool]
        var usedCount = 0
        var linkVisits = 0
        var decoded: [Decoded?]
        var decodedInline: [CID: Decoded] = [:]
        var output: [UInt8] = []

        init(index: [CID: Int], blocks: [[UInt8]], budget: RetrievalBudget, cancellation: VerificationCancellation?) {
            self.cancellation = cancellation
            self.index = index
            self.blocks = blocks
            self.budget = budget
            self.used = Array(repeating: false, count: blocks.count)
            self.decoded = Array(repeating: nil, count: blocks.count)
        }

        /// Where `cid`'s block is stored, or `nil` when it is inline or absent.
        func storedPosition(of cid: CID) -> Int? {
            cid.multihash.function == .identity ? nil : index[cid.version == .v1 ? cid : cid.toV1()]
        }

        /// Appends the bytes under `cid` (stored at `known`, when the caller already looked it up) and returns how
        /// many that was.
        mutating func append(_ cid: CID, at known: Int? = nil, depth: Int) throws(VerificationError) -> UInt64 {
            if Task.isCancelled || cancellation?.isCancelled == true { throw .cancelled }
            guard depth <= budget.maxDepth else { throw .budgetExceeded(budget.breach(.depth, seen: UInt64(depth))) }
            let block: [UInt8]
            let position = known ?? storedPosition(of: cid)
            if let position {
                block = blocks[position]
                if !used[position] {
                    used[position] = true
                    usedCount += 1
                    if usedCount > budget.maxBlocks {
                        throw .budgetExceeded(budget.breach(.blocks, seen: UInt64(usedCount)))
                    }
                }
            } else if cid.multihash.function == .identity {
                block = cid.multihash.digest
            } else {
                throw .missingBlock(cid)
            }
            switch cid.codec {
            case .raw:
                try emit(block)
                return UInt64(block.count)
            case .dagPB:
                let decoded = try decode(cid, position: position, block: block)
                let unixfs = decoded.unixfs
                if let declared = unixfs.fileSize {
                    // Reject before walking: this node alone would take the file over the cap.
                    let (total, overflow) = UInt64(output.count).addingReportingOverflow(declared)
                    if overflow || total > UInt64(budget.maxBytes) {
                        throw .budgetExceeded(budget.breach(.bytes, seen: overflow ? .max : total))
                    }
                }
                var total = UInt64(unixfs.data?.count ?? 0)
                if let data = unixfs.data { try emit(data) }
                for (index, link) in decoded.node.links.enumerated() {
                    linkVisits += 1
                    if linkVisits > budget.maxLinkVisits {
                        throw .budgetExceeded(budget.breach(.linkVisits, seen: UInt64(linkVisits)))
                    }
                    let size = try append(link.hash, at: decoded.children[index], depth: depth + 1)
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

        /// The node in `block` (stored at `position`, or inline when that is `nil`), decoded at its first visit.
        private mutating func decode(_ cid: CID, position: Int?, block: [UInt8]) throws(VerificationError)
            -> Decoded
        {
            if let position, let cached = decoded[position] { return cached }
            if position == nil, let cached = decodedInline[cid] { return cached }
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
            let result = Decoded(node: node, unixfs: unixfs, children: node.links.map { storedPosition(of: $0.hash) })
            if let position { decoded[position] = result } else { decodedInline[cid] = result }
            return result
        }

        private mutating func emit(_ bytes: [UInt8]) throws(VerificationError) {
            guard bytes.count <= budget.maxBytes - output.count else {
                throw .budgetExceeded(budget.breach(.bytes, seen: UInt64(output.count) + UInt64(bytes.count)))
            }
            output += bytes
        }
    }
}
