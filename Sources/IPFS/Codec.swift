/// The multicodecs (content types of a block) a CID may name here.
public enum Codec: UInt64, Sendable, CaseIterable {
    /// Raw bytes: a UnixFS leaf with raw leaves, or any single-block file.
    case raw = 0x55
    /// dag-pb: protobuf nodes holding UnixFS data and links.
    case dagPB = 0x70
    /// dag-cbor: recognised (CAR headers use it) but not reassembled as a file.
    case dagCBOR = 0x71
    /// Plain JSON.
    case json = 0x0200

    /// The name the multicodec table uses.
    public var name: String {
        switch self {
        case .raw: "raw"
        case .dagPB: "dag-pb"
        case .dagCBOR: "dag-cbor"
        case .json: "json"
        }
    }
}
