import Foundation
import GoldenVectorSupport
import Testing

@testable import IPFS

/// The golden CID vectors made by scripts/golden-ipfs/make_vectors.py.
struct GoldenCIDs: Decodable {
    struct Vector: Decodable {
        let size: Int
        let sha256: String
        let v0: String
        let v1RawLeaves: String
        let v1V0dag: String

        enum CodingKeys: String, CodingKey {
            case size, sha256, v0
            case v1RawLeaves = "v1_raw_leaves"
            case v1V0dag = "v1_v0dag"
        }
    }

    struct SmallChunkVector: Decodable {
        let size: Int
        let chunkSize: Int
        let v0: String
        let v1RawLeaves: String

        enum CodingKeys: String, CodingKey {
            case size, v0
            case chunkSize = "chunk_size"
            case v1RawLeaves = "v1_raw_leaves"
        }
    }

    let content: String
    let vectors: [Vector]
    let smallChunkVectors: [SmallChunkVector]

    enum CodingKeys: String, CodingKey {
        case content, vectors
        case smallChunkVectors = "small_chunk_vectors"
    }

    static func load() throws -> GoldenCIDs {
        try GoldenVectors.load("cids", from: .module)
    }

    func vector(size: Int) throws -> Vector {
        try #require(vectors.first { $0.size == size })
    }
}

/// The golden content: byte i is (i * 31 + 7) mod 251.
func goldenContent(_ size: Int) -> [UInt8] {
    (0..<size).map { UInt8(($0 * 31 + 7) % 251) }
}
