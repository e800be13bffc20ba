/// The UnixFS `Data` protobuf message carried in a dag-pb node's Data field.
public struct UnixFSData: Hashable, Sendable {
    /// The UnixFS node types.
    public enum DataType: UInt64, Sendable {
        /// Raw bytes (legacy leaves).
        case raw = 0
        /// A directory.
        case directory = 1
        /// A file (or a file chunk).
        case file = 2
        /// Metadata.
        case metadata = 3
        /// A symbolic link.
        case symlink = 4
        /// A HAMT-sharded directory.
        case hamtShard = 5
    }

    /// The node type.
    public var type: DataType
    /// Inline file bytes (leaves).
    public var data: [UInt8]?
    /// The total size of the file bytes under this node.
    public var fileSize: UInt64?
    /// The file size under each link, in link order.
    public var blockSizes: [UInt64]

    /// A UnixFS message.
    public init(type: DataType, data: [UInt8]? = nil, fileSize: UInt64? = nil, blockSizes: [UInt64] = []) {
        self.type = type
        self.data = data
        self.fileSize = fileSize
        self.blockSizes = blockSizes
    }

    /// Encodes as Kubo does: Type (1), Data (2, omitted when empty), filesize (3), blocksizes (4, unpacked).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        Protobuf.appendVarint(field: 1, type.rawValue, to: &out)
        if let data, !data.isEmpty { Protobuf.appendBytes(field: 2, data, to: &out) }
        if let fileSize { Protobuf.appendVarint(field: 3, fileSize, to: &out) }
        for size in blockSizes { Protobuf.appendVarint(field: 4, size, to: &out) }
        return out
    }

    /// Decodes a UnixFS message; fields this module does not use (hashType, fanout, mode, mtime) are skipped.
    public init(decoding bytes: [UInt8]) throws(DagPBError) {
        let fields: [(field: UInt64, value: Protobuf.Value)]
        do { fields = try Protobuf.fields(of: bytes) } catch { throw .badUnixFS("\(error)") }
        var type: DataType?
        var data: [UInt8]?
        var fileSize: UInt64?
        var blockSizes: [UInt64] = []
        for (field, value) in fields {
            switch (field, value) {
            case (1, .varint(let raw)):
                guard let known = DataType(rawValue: raw) else { throw .badUnixFS("unknown type \(raw)") }
                type = known
            case (2, .bytes(let bytes)): data = bytes
            case (3, .varint(let size)): fileSize = size
            case (4, .varint(let size)): blockSizes.append(size)
            case (4, .bytes(let packed)):
                var reader = ByteReader(packed)
                while !reader.isAtEnd {
                    guard let size = try? reader.readVarint() else { throw .badUnixFS("bad packed blocksizes") }
                    blockSizes.append(size)
                }
            case (1...4, _): throw .badUnixFS("field \(field) has the wrong wire type")
            default: continue
            }
        }
        guard let type else { throw .badUnixFS("missing Type") }
        self.init(type: type, data: data, fileSize: fileSize, blockSizes: blockSizes)
    }
}
