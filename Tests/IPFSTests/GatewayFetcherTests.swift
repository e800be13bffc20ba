import Testing

@testable import IPFS

/// Gateways simulated by one in-process HTTP server, distinguished by path prefix.
@Suite struct GatewayFetcherTests {
    static let content = goldenContent(600_000)  // three chunks
    static let v0 = UnixFSFileBuilder(layout: .v0).build(content)
    static let v1 = UnixFSFileBuilder(layout: .v1RawLeaves).build(content)
    static let small = Array("print('hello from IPFS')\n".utf8)
    static let car = "application/vnd.ipld.car"

    private func fetcher(
        _ base: String, _ names: [String], maxBytes: Int = 1 << 20, timeout: Duration = .seconds(10),
        retry: RetryPolicy = .none, sleep: SleepRecorder = SleepRecorder()
    ) -> GatewayFetcher {
        GatewayFetcher(
            gateways: names.map { "\(base)/\($0)/" }, maxBytes: maxBytes, requestTimeout: timeout, retry: retry,
            sleep: sleep.sleep)
    }

    @Test func fetchesAndVerifiesACAR() async throws {
        try await withFakeServer({ request in
            #expect(request.query == "format=car")
            #expect(request.header("accept") == Self.car)
            return .ok(Self.v0.car.encoded(), contentType: Self.car)
        }) { base, log in
            do {
                let fetched = try await fetcher(base, ["a"]).fetch(cid: Self.v0.root)
                #expect(fetched == Self.content)
            }
            #expect(await log.paths(prefix: "/a/ipfs/") == ["/a/ipfs/\(Self.v0.root)"])
        }
    }

    @Test func fetchesACIDv1WithRawLeavesAndARawBlock() async throws {
        let raw = CID.rawBlock(Self.small)
        try await withFakeServer({ request in
            if request.path.hasSuffix(raw.description) {
                #expect(request.query == "format=raw")
                return .ok(Self.small, contentType: "application/vnd.ipld.raw")
            }
            return .ok(Self.v1.car.encoded(), contentType: Self.car)
        }) { base, _ in
            let gateway = fetcher(base, ["a"])
            do {
                let fetched = try await gateway.fetch(cid: Self.v1.root.description)
                #expect(fetched == Self.content)
            }
            do {
                let fetched = try await gateway.fetch(cid: raw)
                #expect(fetched == Self.small)
            }
        }
    }

    @Test func acceptsPlainBytesOnlyWhenTheyHashToTheCID() async throws {
        try await withFakeServer({ request in
            // Gateway "liar" ignores the format and serves other bytes; "honest" serves the right ones.
            request.path.hasPrefix("/liar")
                ? .ok(Array("import os; os.system('rm -rf /')".utf8), contentType: "text/plain")
                : .ok(Self.content, contentType: "application/octet-stream")
        }) { base, log in
            do {
                let fetched = try await fetcher(base, ["liar", "honest"]).fetch(cid: Self.v0.root)
                #expect(fetched == Self.content)
            }
            do {
                let fetched = try await fetcher(base, ["honest"]).fetch(cid: Self.v1.root)
                #expect(fetched == Self.content)
            }
            do {
                let fetched = try await fetcher(base, ["honest"]).fetch(cid: Self.v0.root.toV1())
                #expect(fetched == Self.content)  // ipfs_cid-style v1
            }
            #expect(await log.paths(prefix: "/liar").count == 1)
            let error = await #expect(throws: RetrievalError.self) {
                try await fetcher(base, ["liar"]).fetch(cid: Self.v0.root)
            }
            #expect(error?.isPermanent == true)
            guard case .allGatewaysFailed(_, let failures) = error,
                case .unverified(_, .contentMismatch) = failures.first
            else {
                Issue.record("expected a content mismatch, got \(String(describing: error))")
                return
            }
        }
    }

    @Test func rejectsACARWithAWrongBlockAndTriesTheNextGateway() async throws {
        var blocks = Self.v0.blocks
        var leaf = blocks[1].data
        leaf[20] ^= 0xFF
        blocks[1] = Block(cid: blocks[1].cid, data: leaf)
        let corrupted = CARv1(roots: [Self.v0.root], blocks: blocks).encoded()
        let corruptedCID = blocks[1].cid
        try await withFakeServer({ request in
            request.path.hasPrefix("/bad")
                ? .ok(corrupted, contentType: Self.car) : .ok(Self.v0.car.encoded(), contentType: Self.car)
        }) { base, _ in
            do {
                let fetched = try await fetcher(base, ["bad", "good"]).fetch(cid: Self.v0.root)
                #expect(fetched == Self.content)
            }
            let error = await #expect(throws: RetrievalError.self) {
                try await fetcher(base, ["bad"]).fetch(cid: Self.v0.root)
            }
            #expect(
                error
                    == .allGatewaysFailed(
                        Self.v0.root, [.unverified(gateway: "\(base)/bad", .hashMismatch(corruptedCID))]))
            #expect(error?.isPermanent == true)
        }
    }

    @Test func rejectsATruncatedCAR() async throws {
        let truncated = Array(Self.v0.car.encoded().dropLast(1000))
        try await withFakeServer({ _ in .ok(truncated, contentType: Self.car) }) { base, _ in
            let error = await #expect(throws: RetrievalError.self) {
                try await fetcher(base, ["a"]).fetch(cid: Self.v0.root)
            }
            guard case .allGatewaysFailed(_, let failures) = error,
                case .unverified(_, .badCAR(.truncated)) = failures.first
            else {
                Issue.record("expected a truncated CAR, got \(String(describing: error))")
                return
            }
            #expect(error?.isPermanent == true)
        }
    }

    @Test func rejectsAnOversizedFileWhileStreaming() async throws {
        let big = goldenContent(300_000)
        let bigCID = UnixFSFileBuilder(layout: .v0).cid(of: big)
        try await withFakeServer({ request in
            var response = FakeResponse.ok(big, contentType: "application/octet-stream")
            if request.path.hasPrefix("/chunked") { response.streamChunk = 16_384 }
            return response
        }) { base, _ in
            for gateway in ["declared", "chunked"] {
                let error = await #expect(throws: RetrievalError.self) {
                    try await fetcher(base, [gateway], maxBytes: 100_000).fetch(cid: bigCID)
                }
                #expect(error == .allGatewaysFailed(bigCID, [.tooLarge(gateway: "\(base)/\(gateway)", limit: 265_536)]))
                #expect(error?.isPermanent == true)
            }
            // The same file under a sufficient cap verifies.
            do {
                let fetched = try await fetcher(base, ["chunked"], maxBytes: 300_000).fetch(cid: bigCID)
                #expect(fetched == big)
            }
        }
    }

    @Test func timesOutASlowGatewayThenUsesTheNext() async throws {
        let gate = Gate()
        try await withFakeServer({ request in
            guard request.path.hasPrefix("/slow") else { return .ok(Self.v0.car.encoded(), contentType: Self.car) }
            var response = FakeResponse.ok(Self.v0.car.encoded(), contentType: Self.car)
            response.gate = gate
            return response
        }) { base, _ in
            let clock = ContinuousClock()
            let start = clock.now
            let bytes = try await fetcher(base, ["slow", "fast"], timeout: .milliseconds(300)).fetch(cid: Self.v0.root)
            #expect(bytes == Self.content)
            #expect(clock.now - start < .seconds(5))
            let error = await #expect(throws: RetrievalError.self) {
                try await fetcher(base, ["slow"], timeout: .milliseconds(200)).fetch(cid: Self.v0.root)
            }
            #expect(error == .allGatewaysFailed(Self.v0.root, [.timeout(gateway: "\(base)/slow")]))
            #expect(error?.isTransient == true)
            await gate.release()
        }
    }

    @Test func retries429HonouringRetryAfter() async throws {
        let counter = RequestLog()
        try await withFakeServer({ request in
            await counter.append(request)
            if await counter.requests.count == 1 { return .status(429, "slow down", headers: ["Retry-After": "2"]) }
            return .ok(Self.v0.car.encoded(), contentType: Self.car)
        }) { base, _ in
            let sleep = SleepRecorder()
            let retry = RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(100))
            do {
                let fetched = try await fetcher(base, ["a"], retry: retry, sleep: sleep).fetch(cid: Self.v0.root)
                #expect(fetched == Self.content)
            }
            #expect(await sleep.delays == [.seconds(2)])
            #expect(await counter.requests.count == 2)
        }
    }

    @Test func reportsTransientServerErrorsAfterBackingOff() async throws {
        try await withFakeServer({ _ in .status(503, "overloaded") }) { base, log in
            let sleep = SleepRecorder()
            let retry = RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(100))
            let error = await #expect(throws: RetrievalError.self) {
                try await fetcher(base, ["a", "b"], retry: retry, sleep: sleep).fetch(cid: Self.v0.root)
            }
            #expect(
                await sleep.delays == [.milliseconds(100), .milliseconds(200), .milliseconds(100), .milliseconds(200)])
            #expect(await log.requests.count == 6)
            #expect(error?.isTransient == true)
            #expect(error?.isNotFound == false)
            #expect(error?.description.contains("HTTP 503: overloaded") == true)
        }
    }

    @Test func reportsNotFoundEverywhereAsTransient() async throws {
        try await withFakeServer({ _ in .status(404) }) { base, _ in
            let error = await #expect(throws: RetrievalError.self) {
                try await fetcher(base, ["a", "b"]).fetch(cid: Self.v0.root)
            }
            #expect(error?.isNotFound == true)
            #expect(error?.isTransient == true)
        }
    }

    @Test func fallsBackToPlainWhenTrustlessFormatsAreRefused() async throws {
        try await withFakeServer({ request in
            request.query.isEmpty ? .ok(Self.content, contentType: "application/octet-stream") : .status(406)
        }) { base, log in
            do {
                let fetched = try await fetcher(base, ["a"]).fetch(cid: Self.v0.root)
                #expect(fetched == Self.content)
            }
            #expect(await log.requests.map(\.query) == ["format=car", ""])
        }
    }

    @Test func classifiesUnreachableAndInvalidInput() async throws {
        // Port 9 (discard) on localhost is not listening in the test environment: connection refused.
        // AsyncHTTPClient keeps retrying a refused connection until the deadline, so either outcome is fine:
        // both are transient.
        let unreachable = GatewayFetcher(gateways: ["http://127.0.0.1:9"], requestTimeout: .seconds(1), retry: .none)
        let error = await #expect(throws: RetrievalError.self) { try await unreachable.fetch(cid: Self.v0.root) }
        guard case .allGatewaysFailed(_, let failures) = error, failures.count == 1 else {
            Issue.record("expected one gateway failure, got \(String(describing: error))")
            return
        }
        switch failures[0] {
        case .unreachable, .timeout: break
        default: Issue.record("expected unreachable or timeout, got \(failures[0])")
        }
        #expect(error?.isTransient == true)
        let invalid = await #expect(throws: RetrievalError.self) { try await unreachable.fetch(cid: "Qm-not-a-cid") }
        #expect(invalid?.isPermanent == true)
        let cbor = try CID(version: .v1, codec: .dagCBOR, multihash: .sha256(of: []))
        #expect(
            await (#expect(throws: RetrievalError.self) { try await unreachable.fetch(cid: cbor) })?.isPermanent == true
        )
        #expect(
            await
                (#expect(throws: RetrievalError.self) {
                    try await GatewayFetcher(gateways: []).fetch(cid: Self.v0.root)
                }) == .noGateways)
    }

    @Test func parsesGatewayLists() {
        #expect(
            GatewayFetcher.gatewayList(" https://a.example/ipfs/ , http://b.example:8080/,,") == [
                "https://a.example", "http://b.example:8080",
            ])
    }
}
