import Foundation
import GoldenVectorSupport

/// The hash-function golden vectors made by scripts/golden-ipfs/make_hash_vectors.py (PyPI multiformats).
struct GoldenHashes: Decodable {
    struct RawVector: Decodable {
        let size: Int
        let sha512: String
        let cid: String
    }

    struct FileVector: Decodable {
        let size: Int
        let chunkSize: Int
        let cid: String
        let distinctBlocks: Int

        enum CodingKeys: String, CodingKey {
            case size, cid
            case chunkSize = "chunk_size"
            case distinctBlocks = "distinct_blocks"
        }
    }

    struct RepeatedVector: Decodable {
        let chunkSize: Int
        let cid: String
        let distinctBlocks: Int

        enum CodingKeys: String, CodingKey {
            case cid
            case chunkSize = "chunk_size"
            case distinctBlocks = "distinct_blocks"
        }
    }

    struct Identity: Decodable {
        let contentHex: String
        let raw: String
        let dagPB: String

        enum CodingKeys: String, CodingKey {
            case raw
            case contentHex = "content_hex"
            case dagPB = "dag_pb"
        }
    }

    struct Unsupported: Decodable {
        let cid: String
        let kind: String
        let code: UInt64
        let name: String
    }

    struct Name: Decodable {
        let code: UInt64
        let name: String
    }

    let sha512Raw: [RawVector]
    let sha512Files: [FileVector]
    let sha512RepeatedChunks: RepeatedVector
    let identity: Identity
    let unsupported: [Unsupported]
    let multicodecNames: [Name]

    enum CodingKeys: String, CodingKey {
        case identity, unsupported
        case sha512Raw = "sha2_512_raw"
        case sha512Files = "sha2_512_files"
        case sha512RepeatedChunks = "sha2_512_repeated_chunks"
        case multicodecNames = "multicodec_names"
    }

    static func load() throws -> GoldenHashes {
        try GoldenVectors.load("hashes", from: .module)
    }

    /// The content of `sha2_512_repeated_chunks`: four identical 1 KiB chunks and a 100-byte tail.
    static func repeatedContent() -> [UInt8] {
        Array([[UInt8]](repeating: goldenContent(1_024), count: 4).joined()) + goldenContent(100)
    }
}
