/// One block of a CAR file or a DAG: its CID and its bytes.
public struct Block: Hashable, Sendable {
    /// The block's CID (not verified by the CAR reader; see `VerifiedDAG`).
    public let cid: CID
    /// The block bytes.
    public let data: [UInt8]

    /// A block.
    public init(cid: CID, data: [UInt8]) {
        self.cid = cid
        self.data = data
    }
}

/// Why a CAR file could not be read.
public enum CARError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The data ended in the middle of the header or a block section.
    case truncated(offset: Int)
    /// The header is not the dag-cbor map `{roots: [CID…], version: 1}`.
    case badHeader(String)
    /// The header declares a version other than 1.
    case unsupportedVersion(UInt64)
    /// A block section is malformed (bad length or CID).
    case badSection(offset: Int, detail: String)
    /// The CAR holds more distinct blocks than the retrieval budget allows; reading stopped there.
    case tooManyBlocks(limit: Int)

    /// A sentence an operator understands.
    public var description: String {
        switch self {
        case .truncated(let offset): "CAR is truncated at byte \(offset)"
        case .badHeader(let detail): "invalid CAR header: \(detail)"
        case .unsupportedVersion(let version): "CAR version \(version) is not supported (only CARv1)"
        case .badSection(let offset, let detail): "invalid CAR block section at byte \(offset): \(detail)"
        case .tooManyBlocks(let limit):
            "CAR holds more than \(limit) distinct blocks (the retrieval budget's limit); reading stopped there"
        }
    }
}

/// A CARv1 archive: a dag-cbor header naming the roots, then varint-framed `CID ‖ block` sections.
public struct CARv1: Hashable, Sendable {
    /// The root CIDs from the header.
    public let roots: [CID]
    /// The blocks, in file order.
    public let blocks: [Block]

    /// A CAR from parts (for writing).
    public init(roots: [CID], blocks: [Block]) {
        self.roots = roots
        self.blocks = blocks
    }

    /// Parses a complete CARv1 file. Block hashes are not checked here.
    public init(decoding bytes: [UInt8]) throws(CARError) {
        self = try Self.read(bytes, stopAfterDistinct: .max).car
    }

    /// Parses a CARv1 file holding at most `maxBlocks` distinct blocks (by CID); reading stops at the first
    /// block over the limit, which throws `tooManyBlocks`. Block hashes are not checked here.
    public init(decoding bytes: [UInt8], maxBlocks: Int) throws(CARError) {
        let read = try Self.read(bytes, stopAfterDistinct: maxBlocks)
        if read.stoppedEarly { throw .tooManyBlocks(limit: maxBlocks) }
        self = read.car
    }

    /// Reads sections until the end, or until a block makes the distinct blocks exceed `limit`: that block is
    /// the last one kept and `stoppedEarly` is true.
    static func read(_ bytes: [UInt8], stopAfterDistinct limit: Int) throws(CARError) -> (
        car: CARv1, stoppedEarly: Bool
    ) {
        var reader = ByteReader(bytes)
        let headerLength = try Self.length(&reader)
        guard headerLength > 0, headerLength <= reader.remaining else {
            throw headerLength == 0 ? .badHeader("empty header") : .truncated(offset: bytes.count)
        }
        let header: CBOR
        do {
            header = try CBOR.decode(try reader.readBytes(headerLength))
        } catch {
            throw .badHeader("not dag-cbor (\(error))")
        }
        guard case .unsigned(let version) = header["version"] else { throw .badHeader("missing version") }
        guard version == 1 else { throw .unsupportedVersion(version) }
        guard case .array(let rootValues) = header["roots"] else { throw .badHeader("missing roots") }
        var roots: [CID] = []
        for value in rootValues {
            guard case .tag(42, .bytes(let raw)) = value, raw.first == 0 else {
                throw .badHeader("a root is not a CID link (tag 42)")
            }
            do { roots.append(try CID(bytes: Array(raw.dropFirst()))) } catch {
                throw .badHeader("root CID: \(error.description)")
            }
        }
        var blocks: [Block] = []
        var distinct: Set<CID> = []
        while !reader.isAtEnd {
            let start = reader.offset
            let length = try Self.length(&reader)
            guard length <= reader.remaining else { throw .truncated(offset: bytes.count) }
            guard length > 0 else { throw .badSection(offset: start, detail: "empty section") }
            let end = reader.offset + length
            var section = ByteReader(Array(bytes[reader.offset..<end]))
            let cid: CID
            do { cid = try CID.read(from: &section) } catch {
                throw .badSection(offset: start, detail: "CID: \(error.description)")
            }
            blocks.append(Block(cid: cid, data: Array(section.bytes[section.offset...])))
            if distinct.insert(cid.toV1()).inserted, distinct.count > limit {
                return (CARv1(roots: roots, blocks: blocks), true)
            }
            reader = ByteReader(bytes, offset: end)
        }
        return (CARv1(roots: roots, blocks: blocks), false)
    }

    /// The CARv1 encoding: header `{roots, version: 1}` (dag-cbor, canonical key order), then the sections.
    public func encoded() -> [UInt8] {
        let rootLinks = roots.map { CBOR.tag(42, .bytes([0] + $0.bytes)) }
        let header = CBOR.map([(.text("roots"), .array(rootLinks)), (.text("version"), .unsigned(1))]).encoded()
        var out = Varint.encode(UInt64(header.count)) + header
        for block in blocks {
            let cid = block.cid.bytes
            Varint.append(UInt64(cid.count + block.data.count), to: &out)
            out += cid
            out += block.data
        }
        return out
    }

    private static func length(_ reader: inout ByteReader) throws(CARError) -> Int {
        let start = reader.offset
        do { return try reader.readLength() } catch .truncated {
            throw .truncated(offset: reader.bytes.count)
        } catch {
            throw .badSection(offset: start, detail: "bad length varint")
        }
    }
}
