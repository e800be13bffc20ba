import Testing

@testable import IPFS

@Suite struct CARTests {
    let dag = UnixFSFileBuilder(layout: .v0).build(goldenContent(600_000))

    @Test func roundTrips() throws {
        let bytes = dag.car.encoded()
        let car = try CARv1(decoding: bytes)
        #expect(car == dag.car)
        #expect(car.roots == [dag.root])
        #expect(car.blocks.count == 4)  // root and three leaves
    }

    @Test func writesTheSpecHeader() {
        // {"roots": [CID], "version": 1} in canonical dag-cbor: a2 65 "roots" 81 d8 2a 58 23 00 <cid> 67 "version" 01
        let header = Array(dag.car.encoded().dropFirst())
        #expect(Array(header.prefix(7)) == [0xA2, 0x65] + Array("roots".utf8))
        #expect(Array(header[7..<12]) == [0x81, 0xD8, 0x2A, 0x58, 0x23])
        #expect(header[12] == 0x00)
        #expect(Array(header[13..<47]) == dag.root.bytes)
        #expect(Array(header[47..<56]) == [0x67] + Array("version".utf8) + [0x01])
    }

    @Test func rejectsTruncatedCAR() throws {
        let bytes = dag.car.encoded()
        for cut in [1, 10, 60, bytes.count / 2, bytes.count - 1] {
            #expect(throws: CARError.self, "cut at \(cut)") { try CARv1(decoding: Array(bytes.prefix(cut))) }
        }
        #expect(throws: CARError.truncated(offset: bytes.count - 1)) { try CARv1(decoding: Array(bytes.dropLast())) }
    }

    @Test func rejectsBadHeaders() throws {
        let wrongVersion = CBOR.map([(.text("roots"), .array([])), (.text("version"), .unsigned(2))]).encoded()
        #expect(throws: CARError.unsupportedVersion(2)) {
            try CARv1(decoding: Varint.encode(UInt64(wrongVersion.count)) + wrongVersion)
        }
        let notLinks = CBOR.map([(.text("roots"), .array([.bytes([1])])), (.text("version"), .unsigned(1))]).encoded()
        #expect(throws: CARError.self) { try CARv1(decoding: Varint.encode(UInt64(notLinks.count)) + notLinks) }
        #expect(throws: CARError.self) { try CARv1(decoding: [0x03, 0xFF, 0xFF, 0xFF]) }
        #expect(throws: CARError.self) { try CARv1(decoding: []) }
    }
}

@Suite struct VerifiedDAGTests {
    let bytes = goldenContent(600_000)
    var dag: UnixFSDAG { UnixFSFileBuilder(layout: .v0).build(bytes) }

    @Test func reassemblesInAnyOrder() throws {
        #expect(try VerifiedDAG.file(root: dag.root, car: dag.car, maxBytes: 1 << 20) == bytes)
        #expect(try VerifiedDAG.file(root: dag.root, blocks: dag.blocks.reversed(), maxBytes: 1 << 20) == bytes)
        // Duplicates of valid blocks are harmless.
        #expect(try VerifiedDAG.file(root: dag.root, blocks: dag.blocks + dag.blocks, maxBytes: 1 << 20) == bytes)
    }

    @Test func rejectsACorruptedBlock() throws {
        var blocks = dag.blocks
        var data = blocks[2].data
        data[data.count / 2] ^= 0x01
        blocks[2] = Block(cid: blocks[2].cid, data: data)
        #expect(throws: VerificationError.hashMismatch(blocks[2].cid)) {
            try VerifiedDAG.file(root: dag.root, blocks: blocks, maxBytes: 1 << 20)
        }
    }

    @Test func rejectsMissingExtraAndForeignBlocks() throws {
        let missing = dag.blocks[3].cid
        #expect(throws: VerificationError.missingBlock(missing)) {
            try VerifiedDAG.file(root: dag.root, blocks: Array(dag.blocks.prefix(3)), maxBytes: 1 << 20)
        }
        let extra = UnixFSFileBuilder(layout: .v0).build([1, 2, 3]).blocks[0]
        #expect(throws: VerificationError.unexpectedBlock(extra.cid)) {
            try VerifiedDAG.file(root: dag.root, blocks: dag.blocks + [extra], maxBytes: 1 << 20)
        }
        let other = CARv1(roots: [extra.cid], blocks: dag.blocks)
        #expect(throws: VerificationError.wrongRoot(expected: dag.root, found: [extra.cid])) {
            try VerifiedDAG.file(root: dag.root, car: other, maxBytes: 1 << 20)
        }
    }

    @Test func enforcesTheSizeCap() {
        // The root declares 600,000 bytes: rejected before any leaf is read.
        #expect(throws: VerificationError.budgetExceeded(.init(limit: .bytes, allowed: 500_000, seen: 600_000))) {
            try VerifiedDAG.file(root: dag.root, blocks: dag.blocks, maxBytes: 500_000)
        }
    }

    @Test func rejectsNonFiles() throws {
        let directory = PBNode(data: UnixFSData(type: .directory).encoded()).encoded()
        let cid = CID.of(block: directory, codec: .dagPB, version: .v0)
        #expect(throws: VerificationError.notAFile(cid, "UnixFS type directory")) {
            try VerifiedDAG.file(root: cid, blocks: [Block(cid: cid, data: directory)], maxBytes: 100)
        }
        // A node whose filesize lies about its children is malformed even though every hash matches.
        let leaf = UnixFSFileBuilder(layout: .v0).build([1, 2, 3])
        let liar = PBNode(
            links: [PBLink(hash: leaf.root, tsize: 14)],
            data: UnixFSData(type: .file, fileSize: 4, blockSizes: [3]).encoded()
        ).encoded()
        let liarCID = CID.of(block: liar, codec: .dagPB, version: .v0)
        #expect(throws: VerificationError.self) {
            try VerifiedDAG.file(root: liarCID, blocks: [Block(cid: liarCID, data: liar)] + leaf.blocks, maxBytes: 100)
        }
    }

    @Test func resolvesIdentityBlocksInline() throws {
        let cid = try CID(version: .v1, codec: .raw, multihash: .identity(of: [7, 8, 9]))
        #expect(try VerifiedDAG.file(root: cid, blocks: [], maxBytes: 10) == [7, 8, 9])
    }
}
