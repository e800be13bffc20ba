import GoldenVectorSupport
import Testing

@testable import IPFS

/// sha2-512 and identity CIDs verify; every other hash function or codec is refused, named.
@Suite struct HashFunctionTests {
    static let car = "application/vnd.ipld.car"

    @Test func sha512RawBlocksMatchTheOracle() throws {
        for vector in try GoldenHashes.load().sha512Raw {
            let content = goldenContent(vector.size)
            let cid = try CID(vector.cid)
            #expect(cid.codec == .raw)
            #expect(cid.multihash.function == .sha512)
            #expect(GoldenVectors.hex(cid.multihash.digest) == vector.sha512)
            #expect(CID.v1(of: content, codec: .raw, hash: .sha512) == cid)
            #expect(cid.description == vector.cid)
            #expect(try CID(bytes: cid.bytes) == cid)
            #expect(
                try VerifiedDAG.file(root: cid, blocks: [Block(cid: cid, data: content)], maxBytes: 1 << 20) == content)
            var corrupted = content + [0]
            corrupted[0] ^= 0x80
            #expect(throws: VerificationError.hashMismatch(cid)) {
                try VerifiedDAG.file(root: cid, blocks: [Block(cid: cid, data: corrupted)], maxBytes: 1 << 20)
            }
        }
    }

    @Test func sha512DagPBFilesMatchTheOracle() throws {
        let golden = try GoldenHashes.load()
        for vector in golden.sha512Files {
            let content = goldenContent(vector.size)
            let dag = TestDAGs.kuboFile(content, chunkSize: vector.chunkSize)
            #expect(dag.root.description == vector.cid, "size \(vector.size)")
            #expect(dag.root.codec == .dagPB)
            #expect(dag.blocks.count == vector.distinctBlocks)
            let bytes = dag.car.encoded()
            #expect(
                try VerifiedDAG.file(root: try CID(vector.cid), carBytes: bytes, budget: RetrievalBudget()) == content)
        }
        let repeated = GoldenHashes.repeatedContent()
        let dag = TestDAGs.kuboFile(repeated, chunkSize: golden.sha512RepeatedChunks.chunkSize)
        #expect(dag.root.description == golden.sha512RepeatedChunks.cid)
        #expect(dag.blocks.count == golden.sha512RepeatedChunks.distinctBlocks)
        #expect(try VerifiedDAG.file(root: dag.root, car: dag.car, budget: RetrievalBudget()) == repeated)
    }

    @Test func fetchesSHA512ContentAndRejectsACorruptedBlock() async throws {
        let golden = try GoldenHashes.load()
        let fileVector = try #require(golden.sha512Files.first { $0.size == 600_000 })
        let content = goldenContent(600_000)
        let dag = TestDAGs.kuboFile(content)
        let root = try CID(fileVector.cid)
        var blocks = dag.blocks
        var leaf = blocks[2].data
        leaf[100] ^= 0x01
        let corruptedCID = blocks[2].cid
        blocks[2] = Block(cid: corruptedCID, data: leaf)
        let corrupted = CARv1(roots: [root], blocks: blocks).encoded()
        let rawVector = try #require(golden.sha512Raw.first { $0.size == 1_024 })
        let raw = try CID(rawVector.cid)
        try await withFakeServer({ request in
            if request.path.hasSuffix(raw.description) {
                #expect(request.query == "format=raw")
                return .ok(goldenContent(1_024), contentType: "application/vnd.ipld.raw")
            }
            return .ok(request.path.hasPrefix("/bad") ? corrupted : dag.car.encoded(), contentType: Self.car)
        }) { base, _ in
            let good = GatewayFetcher(gateways: ["\(base)/good"], retry: .none)
            do {
                let file = try await good.fetch(cid: fileVector.cid)
                #expect(file == content)
                let block = try await good.fetch(cid: rawVector.cid)
                #expect(block == goldenContent(1_024))
            }
            let bad = GatewayFetcher(gateways: ["\(base)/bad"], retry: .none)
            let error = await #expect(throws: RetrievalError.self) { try await bad.fetch(cid: root) }
            #expect(
                error == .allGatewaysFailed(root, [.unverified(gateway: "\(base)/bad", .hashMismatch(corruptedCID))]))
        }
    }

    @Test func identityCIDsNeverTouchAGateway() async throws {
        let golden = try GoldenHashes.load().identity
        let content = try GoldenVectors.bytes(hex: golden.contentHex)
        // An identity dag-pb node linking to a block that is not inline would need a gateway: refused.
        let outside = CID.rawBlock([1, 2, 3])
        let linking = TestDAGs.fileNode([(outside, 3)])
        let inlineLinking = CID.v1(of: linking.data, codec: .dagPB, hash: .identity)
        // An identity dag-pb node over two inline leaves.
        let inlineLeaf = CID.v1(of: [7, 8, 9], codec: .raw, hash: .identity)
        let nested = CID.v1(
            of: TestDAGs.fileNode([(inlineLeaf, 3), (inlineLeaf, 3)]).data, codec: .dagPB, hash: .identity)
        let rawCID = try CID(golden.raw)
        try await withFakeServer({ _ in .status(500, "must not be asked") }) { base, log in
            let fetcher = GatewayFetcher(gateways: [base], retry: .none)
            do {
                let raw = try await fetcher.fetch(cid: golden.raw)
                #expect(raw == content)
                let node = try await fetcher.fetch(cid: golden.dagPB)
                #expect(node == content)
                let twice = try await fetcher.fetch(cid: nested)
                #expect(twice == [7, 8, 9, 7, 8, 9])
            }
            let missing = await #expect(throws: RetrievalError.self) { try await fetcher.fetch(cid: inlineLinking) }
            #expect(missing == .invalidInlineContent(inlineLinking, .missingBlock(outside)))
            #expect(missing?.isPermanent == true)
            let small = GatewayFetcher(gateways: [base], budget: .init(maxBytes: 10), retry: .none)
            let tooLarge = await #expect(throws: RetrievalError.self) { try await small.fetch(cid: golden.raw) }
            #expect(
                tooLarge
                    == .budgetExceeded(
                        rawCID, .init(limit: .bytes, allowed: 10, seen: UInt64(content.count))))
            #expect(await log.requests.isEmpty)
        }
    }

    @Test func unsupportedHashFunctionsAndCodecsAreNamed() async throws {
        let golden = try GoldenHashes.load()
        // A raw CID with multihash code 0x3301, which the excerpt does not know.
        let unknown = Multibase.base32.encode([0x01, 0x55, 0x81, 0x66, 0x02, 0xAB, 0xCD])
        try await withFakeServer({ _ in .status(500, "must not be asked") }) { base, log in
            let fetcher = GatewayFetcher(gateways: [base], retry: .none)
            for vector in golden.unsupported {
                let error = await #expect(throws: RetrievalError.self) { try await fetcher.fetch(cid: vector.cid) }
                let expected: UnsupportedContent =
                    vector.kind == "codec" ? .codec(vector.code) : .hashFunction(vector.code)
                #expect(error == .unsupported(expected))
                #expect(error?.isPermanent == true)
                let label = "\(vector.name) (\(MulticodecNames.hex(vector.code)))"
                #expect(error?.description.contains(label) == true, "\(String(describing: error))")
            }
            let error = await #expect(throws: RetrievalError.self) { try await fetcher.fetch(cid: unknown) }
            #expect(error == .unsupported(.hashFunction(0x3301)))
            #expect(
                error?.description
                    == "hash function 0x3301 (unknown multicodec) cannot be verified by this worker; "
                    + "supported: sha2-256, sha2-512, identity")
            #expect(await log.requests.isEmpty)
        }
        #expect(
            UnsupportedContent.hashFunction(0xB220).description
                == "hash function blake2b-256 (0xb220) cannot be verified by this worker; "
                + "supported: sha2-256, sha2-512, identity")
        #expect(
            UnsupportedContent.codec(0x0129).description
                == "codec dag-json (0x0129) cannot be reassembled into a file by this worker; supported: raw, dag-pb")
    }

    @Test func multicodecNamesMatchTheOracle() throws {
        let names = try GoldenHashes.load().multicodecNames
        for entry in names {
            #expect(MulticodecNames.name(of: entry.code) == entry.name, "0x\(String(entry.code, radix: 16))")
        }
        let checked = Set(names.map(\.code))
        #expect(MulticodecNames.table.keys.allSatisfy { checked.contains($0) })
        #expect(MulticodecNames.name(of: 0x3301) == nil)
    }
}
