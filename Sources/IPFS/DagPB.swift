/// A dag-pb link: the child's CID, a name and the cumulative size of the child's DAG.
public struct PBLink: Hashable, Sendable {
    /// The child's CID.
    public var hash: CID
    /// The link name; Kubo writes an empty name for file chunks.
    public var name: String?
    /// The total size in bytes of the blocks under this link (encoded blocks, not file bytes).
    public var tsize: UInt64?

    /// A link.
    public init(hash: CID, name: String? = "", tsize: UInt64? = nil) {
        self.hash = hash
        self.name = name
        self.tsize = tsize
    }
}

/// Why a dag-pb block could not be decoded.
public enum DagPBError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The protobuf framing is broken (truncated, bad varint, unsupported wire type).
    case malformedProtobuf(String)
    /// A field has the wrong wire type or is repeated where it may not be.
    case badField(String)
    /// A link has no Hash or an invalid one.
    case badLink(String)
    /// The UnixFS Data message is invalid.
    case badUnixFS(String)

    /// A sentence an operator understands.
    public var description: String {
        switch self {
        case .malformedProtobuf(let detail): "malformed dag-pb protobuf: \(detail)"
        case .badField(let detail): "invalid dag-pb field: \(detail)"
        case .badLink(let detail): "invalid dag-pb link: \(detail)"
        case .badUnixFS(let detail): "invalid UnixFS data: \(detail)"
        }
    }
}

/// A dag-pb node: links and an opaque data field (UnixFS for files).
public struct PBNode: Hashable, Sendable {
    /// The links, in order.
    public var links: [PBLink]
    /// The data field (a serialized `UnixFSData` in UnixFS DAGs).
    public var data: [UInt8]?

    /// A node.
    public init(links: [PBLink] = [], data: [UInt8]?) {
        self.links = links
        self.data = data
    }

    /// The canonical encoding Kubo writes: every link (field 2) first, then Data (field 1);
    /// inside a link Hash (1), Name (2), Tsize (3).
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        for link in links {
            var body: [UInt8] = []
            Protobuf.appendBytes(field: 1, link.hash.bytes, to: &body)
            if let name = link.name { Protobuf.appendBytes(field: 2, Array(name.utf8), to: &body) }
            if let tsize = link.tsize { Protobuf.appendVarint(field: 3, tsize, to: &body) }
            Protobuf.appendBytes(field: 2, body, to: &out)
        }
        if let data { Protobuf.appendBytes(field: 1, data, to: &out) }
        return out
    }

    /// Decodes a dag-pb block.
    public init(decoding block: [UInt8]) throws(DagPBError) {
        var links: [PBLink] = []
        var data: [UInt8]?
        for (field, value) in try Self.fields(block) {
            switch (field, value) {
            case (1, .bytes(let bytes)):
                guard data == nil else { throw .badField("Data appears twice") }
                data = bytes
            case (2, .bytes(let bytes)):
                links.append(try Self.link(bytes))
            default:
                throw .badField("unexpected field \(field) in PBNode")
            }
        }
        self.init(links: links, data: data)
    }

    private static func link(_ bytes: [UInt8]) throws(DagPBError) -> PBLink {
        var hash: CID?
        var name: String?
        var tsize: UInt64?
        for (field, value) in try fields(bytes) {
            switch (field, value) {
            case (1, .bytes(let raw)):
                do { hash = try CID(bytes: raw) } catch { throw .badLink(error.description) }
            case (2, .bytes(let raw)):
                guard let text = String(validating: raw, as: UTF8.self) else { throw .badLink("name is not UTF-8") }
                name = text
            case (3, .varint(let size)):
                tsize = size
            default:
                throw .badLink("unexpected field \(field) in PBLink")
            }
        }
        guard let hash else { throw .badLink("link without Hash") }
        return PBLink(hash: hash, name: name, tsize: tsize)
    }

    private static func fields(_ bytes: [UInt8]) throws(DagPBError) -> [(field: UInt64, value: Protobuf.Value)] {
        do { return try Protobuf.fields(of: bytes) } catch { throw .malformedProtobuf("\(error)") }
    }
}
