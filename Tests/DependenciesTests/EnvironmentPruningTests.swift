import Foundation
import Testing

@testable import Dependencies

/// `EnvironmentCache.prune(root:toBytes:)`: an operator's eviction without a cache or a resolver, on
/// environments real uv built from the local index.
@Suite(.enabled(if: UVFixture.available, UVFixture.skipReason))
struct EnvironmentPruningTests {
    @Test func prunesTheLeastRecentlyUsedAndWhatInterruptedBuildsLeft() async throws {
        let directory = try UVFixture.temporaryDirectory("prune")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("environments")
        let cache = try EnvironmentCache(
            configuration: UVFixture.configuration(root: root),
            resolver: try await UVFixture.resolver(uv: UVFixture.uvPath!))
        let older = try await cache.acquire(UVFixture.requirements("cm-alpha<2"))
        await older.release()
        // Different modification times for the last use, whatever the file system's resolution.
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-60)],
            ofItemAtPath: root.appendingPathComponent(older.environment.key).appendingPathComponent("last-used").path)
        let newer = try await cache.acquire(UVFixture.requirements("cm-alpha>=2"))
        await newer.release()
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(".tmp-build-interrupted/env"), withIntermediateDirectories: true)

        // Within the budget: only the leftover goes.
        let total = older.environment.sizeBytes + newer.environment.sizeBytes
        let nothing = try EnvironmentCache.prune(root: root, toBytes: total)
        #expect(nothing.evicted.isEmpty)
        #expect(nothing.kept.map(\.key) == [older.environment.key, newer.environment.key])
        #expect(nothing.leftovers == [".tmp-build-interrupted"])
        #expect(UVFixture.entries(root) == [older.environment.key, newer.environment.key].sorted())

        let one = try EnvironmentCache.prune(root: root, toBytes: newer.environment.sizeBytes)
        #expect(one.evicted.map(\.key) == [older.environment.key])
        #expect(one.evicted.first?.packages == ["cm-alpha==1.0"])
        #expect(one.evictedBytes == older.environment.sizeBytes)
        #expect(one.kept.map(\.key) == [newer.environment.key])
        #expect(one.keptBytes == newer.environment.sizeBytes)
        #expect(UVFixture.entries(root) == [newer.environment.key], "removed without a .tmp-evict- entry left")

        let all = try EnvironmentCache.prune(root: root, toBytes: 0)
        #expect(all.evicted.map(\.key) == [newer.environment.key])
        #expect(UVFixture.entries(root).isEmpty)
    }

    @Test func aMissingRootHasNothingToPrune() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)")
        #expect(try EnvironmentCache.prune(root: root, toBytes: 0) == .init(evicted: [], kept: [], leftovers: []))
        #expect(!FileManager.default.fileExists(atPath: root.path))
    }
}
