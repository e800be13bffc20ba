import DevnetSupport
import Foundation
import Logging
import Testing

@testable import Worker

/// How code fetch failures are classified: the job's own fault, its input unavailable for now (retried until
/// CODE_RETRIEVAL_DEADLINE), or the worker's own trouble (retried without a limit).
@Suite struct GatewayCodeFetcherTests {
    static let logger = Logger(label: "test")

    func kind(of fetch: () async throws -> [UInt8]) async -> FailureKind? {
        do {
            _ = try await fetch()
            return nil
        } catch {
            return FailureKind.of(error)
        }
    }

    @Test func unreachableGatewaysAreTheWorkersOwnTrouble() async throws {
        let client = GatewayCodeFetcher.makeHTTPClient(fetchesInFlight: 4)
        defer { client.shutdown { _ in } }
        let fetcher = GatewayCodeFetcher(gateways: ["http://127.0.0.1:1"], httpClient: client, logger: Self.logger)
        let started = ContinuousClock.now
        let kind = await kind { try await fetcher.fetchCode(cid: Fixture.absentCID, maxBytes: 1024) }
        #expect(kind == .transient)
        #expect(ContinuousClock.now - started < .seconds(20), "a refused connection is given up on quickly")
    }

    @Test func aCIDNoGatewayHasIsUnavailableInputAndAnInvalidOneIsTheJobsFault() async throws {
        let devnet = try await Devnet.shared()
        let client = GatewayCodeFetcher.makeHTTPClient(fetchesInFlight: 4)
        defer { client.shutdown { _ in } }
        let fetcher = GatewayCodeFetcher(
            gateways: [devnet.endpoints.gatewayURL], httpClient: client, logger: Self.logger)
        #expect(await kind { try await fetcher.fetchCode(cid: Fixture.absentCID, maxBytes: 1024) } == .inputUnavailable)
        #expect(await kind { try await fetcher.fetchCode(cid: "not-a-cid", maxBytes: 1024) } == .invalidJobInput)
    }

    enum Fixture {
        /// A CIDv0 (sha2-256 of "cloudmesh: content nobody added") that no gateway holds: every one answers 404.
        static let absentCID = "QmanM8fugHLL3rfBg2mtM6RMUDj5cC9cT2WuLmpDp3yb5D"
    }
}
