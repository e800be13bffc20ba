import Testing

@testable import IPFS

/// The walk over a DAG is bounded by a `RetrievalBudget`: DAG bombs, and one hostile DAG per limit.
@Suite struct RetrievalBudgetTests {
    @Test func defaultsFollowTheByteCap() {
        let budget = RetrievalBudget()
        #expect(budget.maxBytes == 1 << 20)
        #expect(budget.maxLinkVisits == 2_098_176)
        #expect(budget.maxBlocks == 67_584)
        #expect(budget.maxDepth == 32)
        // No CAR the fetcher accepts can hold more distinct blocks than the default allows.
        let fetcher = GatewayFetcher(gateways: [], budget: budget)
        #expect(fetcher.maxCARBytes / 38 + 1 < budget.maxBlocks)
        let huge = RetrievalBudget(maxBytes: .max, maxDepth: 10_000)
        #expect(huge.maxLinkVisits == .max)
        #expect(huge.maxDepth == RetrievalBudget.maxDepthCeiling)
        #expect(GatewayFetcher(gateways: [], budget: huge).maxCARBytes == .max)
        let capped = RetrievalBudget(maxBytes: 4 << 20, maxLinkVisits: 10).capping(bytes: 1_000)
        #expect(capped == RetrievalBudget(maxBytes: 1_000, maxLinkVisits: 10, maxBlocks: (4 << 20) / 16 + 2_048))
        #expect(RetrievalBudget(maxBytes: -5) == RetrievalBudget(maxBytes: 0))
    }

    @Test func aDAGBombIsStoppedByTheDefaultBudget() throws {
        // 31 blocks, each node linking twice to the one below: about 4 KiB on the wire, 2³¹ - 2 link visits to
        // walk it all.
        let bomb = TestDAGs.bomb(depth: 30, fanout: 2)
        let wire = bomb.car.encoded()
        #expect(wire.count < 5_000)
        let breach = RetrievalBudget.Breach(limit: .linkVisits, allowed: 2_098_176, seen: 2_098_177)
        #expect(throws: VerificationError.budgetExceeded(breach)) {
            try VerifiedDAG.file(root: bomb.root, carBytes: wire, budget: RetrievalBudget())
        }
        #expect(breach.description.contains("link visits limit is 2098176"))
    }

    @Test func countsEveryLinkVisit() throws {
        // Fanout 3, depth 8: 3 + 9 + … + 6561 = 9840 visits over only 9 distinct blocks.
        let bomb = TestDAGs.bomb(depth: 8, fanout: 3)
        #expect(try VerifiedDAG.file(root: bomb.root, blocks: bomb.blocks, budget: .init(maxLinkVisits: 9_840)) == [])
        #expect(throws: VerificationError.budgetExceeded(.init(limit: .linkVisits, allowed: 9_839, seen: 9_840))) {
            try VerifiedDAG.file(root: bomb.root, blocks: bomb.blocks, budget: .init(maxLinkVisits: 9_839))
        }
    }

    @Test func limitsDistinctBlocksWhileWalkingAndWhileReadingTheCAR() throws {
        let wide = TestDAGs.wide(count: 10)
        #expect(try VerifiedDAG.file(root: wide.root, blocks: wide.blocks, budget: .init(maxBlocks: 11)).count == 10)
        #expect(throws: VerificationError.budgetExceeded(.init(limit: .blocks, allowed: 10, seen: 11))) {
            try VerifiedDAG.file(root: wide.root, blocks: wide.blocks, budget: .init(maxBlocks: 10))
        }
        // Reading the CAR stops at the sixth distinct block, and those six prove the DAG is over the budget.
        let bytes = wide.car.encoded()
        #expect(throws: VerificationError.budgetExceeded(.init(limit: .blocks, allowed: 5, seen: 6))) {
            try VerifiedDAG.file(root: wide.root, carBytes: bytes, budget: .init(maxBlocks: 5))
        }
        #expect(throws: CARError.tooManyBlocks(limit: 5)) { try CARv1(decoding: bytes, maxBlocks: 5) }
        #expect(try CARv1(decoding: bytes, maxBlocks: 11) == wide.car)
        // A small DAG padded with foreign blocks: the CAR's fault, not the DAG's.
        let small = TestDAGs.wide(count: 2)
        let foreign = (0..<10).map { Block(cid: CID.rawBlock([0xF0, UInt8($0)]), data: [0xF0, UInt8($0)]) }
        let padded = CARv1(roots: [small.root], blocks: small.blocks + foreign).encoded()
        #expect(throws: VerificationError.badCAR(.tooManyBlocks(limit: 5))) {
            try VerifiedDAG.file(root: small.root, carBytes: padded, budget: .init(maxBlocks: 5))
        }
    }

    @Test func limitsDepth() throws {
        let ok = TestDAGs.chain(length: 32)
        #expect(try VerifiedDAG.file(root: ok.root, blocks: ok.blocks, budget: RetrievalBudget()) == [42])
        let deep = TestDAGs.chain(length: 40)
        #expect(throws: VerificationError.budgetExceeded(.init(limit: .depth, allowed: 32, seen: 33))) {
            try VerifiedDAG.file(root: deep.root, carBytes: deep.car.encoded(), budget: RetrievalBudget())
        }
    }

    @Test func limitsBytesBeforeWalkingAndWhileWalking() throws {
        // A root that declares 10 GB is rejected before its (absent) child is looked for.
        let absent = CID.rawBlock([1, 2, 3])
        let liar = TestDAGs.fileNode([(absent, 10_000_000_000)])
        #expect(throws: VerificationError.budgetExceeded(.init(limit: .bytes, allowed: 1 << 20, seen: 10_000_000_000)))
        {
            try VerifiedDAG.file(root: liar.cid, blocks: [liar], budget: RetrievalBudget())
        }
        // A root that declares nothing: the bytes are counted as they are produced.
        let silent = TestDAGs.wide(count: 3, leafSize: 400, declaresSizes: false)
        #expect(throws: VerificationError.budgetExceeded(.init(limit: .bytes, allowed: 1_000, seen: 1_200))) {
            try VerifiedDAG.file(root: silent.root, blocks: silent.blocks, budget: .init(maxBytes: 1_000))
        }
        #expect(
            try VerifiedDAG.file(root: silent.root, blocks: silent.blocks, budget: .init(maxBytes: 1_200)).count
                == 1_200)
    }

    @Test func acceptsKuboFilesWithRepeatedChunksUpToTheCap() throws {
        // Fifty identical 1 KiB chunks: one leaf linked fifty times.
        let chunk = goldenContent(1_024)
        let content = Array([[UInt8]](repeating: chunk, count: 50).joined())
        let dag = UnixFSFileBuilder(layout: .v1RawLeaves, chunkSize: 1_024).build(content)
        #expect(Set(dag.blocks.map(\.cid)).count == 2)
        #expect(try VerifiedDAG.file(root: dag.root, car: dag.car, budget: .init(maxBytes: content.count)) == content)
        // 20,000 bytes of zeros in 1-byte chunks (Kubo's `--chunker=size-1`), exactly at the byte cap:
        // 20,115 link visits over 4 distinct blocks, within the defaults for the cap.
        let zeros = [UInt8](repeating: 0, count: 20_000)
        let tiny = UnixFSFileBuilder(layout: .v0, chunkSize: 1).build(zeros)
        #expect(try VerifiedDAG.file(root: tiny.root, blocks: tiny.blocks, budget: .init(maxBytes: 20_000)) == zeros)
    }

    /// As the fetcher runs it: on a thread of its own (an endless walk on the cooperative pool would hold one of
    /// its threads, and every other test's timers with it), stopped by the flag its task's cancellation sets.
    @Test func cancellationStopsTheWalk() async throws {
        let bomb = TestDAGs.bomb(depth: 40, fanout: 2)
        let task = Task {
            try await VerificationThread.run { cancellation throws(VerificationError) in
                try VerifiedDAG.file(
                    root: bomb.root, car: bomb.car, budget: TestDAGs.unlimited, cancellation: cancellation)
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let result = await task.result
        #expect(throws: VerificationError.cancelled) { try result.get() }
    }
}

/// Hostile DAGs served by a gateway.
@Suite struct HostileGatewayTests {
    static let car = "application/vnd.ipld.car"

    @Test func rejectsADAGBombWithoutAskingAnotherGateway() async throws {
        let bomb = TestDAGs.bomb(depth: 30, fanout: 2)
        let wire = bomb.car.encoded()
        try await withFakeServer({ _ in .ok(wire, contentType: Self.car) }) { base, log in
            let fetcher = GatewayFetcher(gateways: ["\(base)/a", "\(base)/b"], retry: .none)
            let error = await #expect(throws: RetrievalError.self) { try await fetcher.fetch(cid: bomb.root) }
            #expect(error == .budgetExceeded(bomb.root, .init(limit: .linkVisits, allowed: 2_098_176, seen: 2_098_177)))
            #expect(error?.isPermanent == true)
            #expect(await log.requests.map(\.path) == ["/a/ipfs/\(bomb.root)"])
        }
    }

    @Test func rejectsEachBudgetBreachFromAGateway() async throws {
        let wide = TestDAGs.wide(count: 10)
        let deep = TestDAGs.chain(length: 40)
        let liar = TestDAGs.fileNode([(CID.rawBlock([9]), 5_000_000)])
        let bomb = TestDAGs.bomb(depth: 12, fanout: 2)
        let cases: [(TestDAG, RetrievalBudget, RetrievalBudget.Breach)] = [
            (bomb, .init(maxLinkVisits: 1_000), .init(limit: .linkVisits, allowed: 1_000, seen: 1_001)),
            (wide, .init(maxBlocks: 4), .init(limit: .blocks, allowed: 4, seen: 5)),
            (deep, .init(), .init(limit: .depth, allowed: 32, seen: 33)),
            (TestDAG(root: liar.cid, blocks: [liar]), .init(), .init(limit: .bytes, allowed: 1 << 20, seen: 5_000_000)),
        ]
        let served = cases.map { ($0.0.root.description, $0.0.car.encoded()) }
        try await withFakeServer({ request in
            let body = served.first { request.path.hasSuffix($0.0) }?.1 ?? []
            return .ok(body, contentType: Self.car)
        }) { base, _ in
            for (dag, budget, breach) in cases {
                let fetcher = GatewayFetcher(gateways: [base], budget: budget, retry: .none)
                let error = await #expect(throws: RetrievalError.self) { try await fetcher.fetch(cid: dag.root) }
                #expect(error == .budgetExceeded(dag.root, breach), "\(breach.limit)")
            }
        }
    }

    @Test func verifiesAFileWithRepeatedChunksServedWithDuplicates() async throws {
        let content = Array([[UInt8]](repeating: goldenContent(262_144), count: 4).joined())
        let dag = UnixFSFileBuilder(layout: .v0).build(content)
        #expect(dag.blocks.count == 5)  // the leaf appears four times, as with `dups=y`
        try await withFakeServer({ _ in .ok(dag.car.encoded(), contentType: Self.car) }) { base, _ in
            let fetched = try await GatewayFetcher(gateways: [base], retry: .none).fetch(cid: dag.root)
            #expect(fetched == content)
        }
    }

    @Test func aCancelledFetchOfABombStops() async throws {
        let bomb = TestDAGs.bomb(depth: 40, fanout: 2)
        let wire = bomb.car.encoded()
        try await withFakeServer({ _ in .ok(wire, contentType: Self.car) }) { base, log in
            let fetcher = GatewayFetcher(gateways: [base], budget: TestDAGs.unlimited, retry: .none)
            let task = Task { try await fetcher.fetch(cid: bomb.root) }
            while await log.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: .milliseconds(200))
            task.cancel()
            let result = await task.result
            #expect(throws: RetrievalError.cancelled) { try result.get() }
        }
    }
}
