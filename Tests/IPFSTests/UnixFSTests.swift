import GoldenVectorSupport
import Testing

@testable import IPFS

@Suite struct UnixFSBuilderTests {
    @Test func matchesGoldenVectors() throws {
        let golden = try GoldenCIDs.load()
        #expect(golden.content == "byte i is (i * 31 + 7) mod 251")
        #expect(golden.vectors.map(\.size) == [0, 1, 1024, 262_144, 262_145, 1_048_576, 5_242_880])
        for vector in golden.vectors {
            let bytes = goldenContent(vector.size)
            #expect(
                GoldenVectors.hex(Multihash.sha256(of: bytes).digest) == vector.sha256, "content of size \(vector.size)"
            )
            #expect(UnixFSFileBuilder(layout: .v0).cid(of: bytes).description == vector.v0, "v0 size \(vector.size)")
            #expect(
                UnixFSFileBuilder(layout: .v1RawLeaves).cid(of: bytes).description == vector.v1RawLeaves,
                "v1 size \(vector.size)")
        }
    }

    @Test func matchesGoldenTwoLevelDAGs() throws {
        let vectors = try GoldenCIDs.load().smallChunkVectors
        #expect(vectors.count == 3)
        for vector in vectors {
            let bytes = goldenContent(vector.size)
            let v0 = UnixFSFileBuilder(layout: .v0, chunkSize: vector.chunkSize).build(bytes)
            let v1 = UnixFSFileBuilder(layout: .v1RawLeaves, chunkSize: vector.chunkSize).build(bytes)
            #expect(v0.root.description == vector.v0)
            #expect(v1.root.description == vector.v1RawLeaves)
            // The DAG reads back to the same bytes.
            #expect(try VerifiedDAG.file(root: v0.root, blocks: v0.blocks, maxBytes: 1 << 20) == bytes)
            #expect(try VerifiedDAG.file(root: v1.root, blocks: v1.blocks, maxBytes: 1 << 20) == bytes)
        }
    }

    @Test func singleChunkShapes() throws {
        #expect(
            UnixFSFileBuilder(layout: .v0).cid(of: []).description == "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")
        let emptyLeaf = UnixFSFileBuilder(layout: .v0).build([]).blocks
        #expect(emptyLeaf.count == 1)
        #expect(emptyLeaf[0].data == [0x0A, 0x04, 0x08, 0x02, 0x18, 0x00])
        let small = Array("print('hi')\n".utf8)
        #expect(UnixFSFileBuilder(layout: .v1RawLeaves).cid(of: small) == CID.rawBlock(small))
        #expect(CID.rawBlock(small).description.hasPrefix("bafkrei"))
        let twoChunks = UnixFSFileBuilder(layout: .v1RawLeaves).build(goldenContent(262_145))
        #expect(twoChunks.blocks.count == 3)
        #expect(twoChunks.blocks.dropFirst().allSatisfy { $0.cid.codec == .raw })
        #expect(twoChunks.root.codec == .dagPB && twoChunks.root.version == .v1)
        #expect(twoChunks.root.description.hasPrefix("bafybei"))
    }

    @Test func cumulativeSizeIsKubosSize() throws {
        // Kubo prints the root's cumulative size (the root link Tsize): encoded blocks, not file bytes.
        let dag = UnixFSFileBuilder(layout: .v0).build(goldenContent(262_145))
        #expect(dag.cumulativeSize == UInt64(dag.blocks.reduce(0) { $0 + $1.data.count }))
        let root = try PBNode(decoding: dag.blocks[0].data)
        #expect(root.links.map(\.tsize) == dag.blocks.dropFirst().map { UInt64($0.data.count) })
    }
}

@Suite struct DagPBTests {
    @Test func encodesLinksBeforeData() throws {
        let child = UnixFSFileBuilder(layout: .v0).cid(of: [1, 2, 3])
        let node = PBNode(links: [PBLink(hash: child, name: "", tsize: 17)], data: [0x08, 0x02])
        let bytes = node.encoded()
        #expect(bytes[0] == 0x12)  // field 2 (Links), length-delimited, first
        #expect(Array(bytes.suffix(4)) == [0x0A, 0x02, 0x08, 0x02])  // Data last
        #expect(try PBNode(decoding: bytes) == node)
    }

    @Test func roundTripsUnixFS() throws {
        let data = UnixFSData(type: .file, data: [9, 9], fileSize: 2, blockSizes: [1, 1])
        #expect(try UnixFSData(decoding: data.encoded()) == data)
        let packed: [UInt8] = [0x08, 0x02, 0x18, 0x03, 0x22, 0x02, 0x01, 0x02]
        #expect(try UnixFSData(decoding: packed).blockSizes == [1, 2])
    }

    @Test func rejectsMalformedNodes() {
        #expect(throws: DagPBError.self) { try PBNode(decoding: [0x0A, 0x05, 0x01]) }  // truncated data
        #expect(throws: DagPBError.self) { try PBNode(decoding: [0x12, 0x02, 0x18, 0x01]) }  // link without Hash
        #expect(throws: DagPBError.self) { try PBNode(decoding: [0x18, 0x01]) }  // unknown field 3
        #expect(throws: DagPBError.self) { try PBNode(decoding: [0x0A, 0x00, 0x0A, 0x00]) }  // Data twice
        #expect(throws: DagPBError.self) { try UnixFSData(decoding: [0x18, 0x01]) }  // no Type
        #expect(throws: DagPBError.self) { try UnixFSData(decoding: [0x08, 0x09]) }  // unknown Type
    }
}
