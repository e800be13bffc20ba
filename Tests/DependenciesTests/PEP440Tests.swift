import Foundation
import GoldenVectorSupport
import Testing

@testable import Dependencies

/// PEP 440 against the reference implementation: Golden/pep440.json is written by
/// scripts/golden-deps/make_pep440_vectors.py with the PyPI `packaging` package.
@Suite struct PEP440Tests {
    struct Golden: Decodable {
        struct VersionCase: Decodable {
            var version: String
            var valid: Bool
            var normalized: String?
        }
        struct Comparison: Decodable {
            var left: String
            var right: String
            var order: Int
        }
        struct SpecifierCase: Decodable {
            var specifier: String
            var valid: Bool
        }
        struct Contains: Decodable {
            var specifier: String
            var version: String
            var contains: Bool
        }
        var versions: [VersionCase]
        var comparisons: [Comparison]
        var specifiers: [SpecifierCase]
        var contains: [Contains]
    }

    static let golden: Golden = {
        try! GoldenVectors.load("pep440", from: .module)
    }()

    @Test func parsesAndNormalizesVersionsAsPackagingDoes() {
        #expect(Self.golden.versions.count > 50)
        for item in Self.golden.versions {
            let version = PEP440Version(item.version)
            #expect((version != nil) == item.valid, "\(item.version)")
            if let normalized = item.normalized { #expect(version?.description == normalized, "\(item.version)") }
        }
    }

    @Test func ordersVersionsAsPackagingDoes() throws {
        #expect(Self.golden.comparisons.count > 400)
        for item in Self.golden.comparisons {
            let left = try #require(PEP440Version(item.left))
            let right = try #require(PEP440Version(item.right))
            let order = left < right ? -1 : (left == right ? 0 : 1)
            #expect(order == item.order, "\(item.left) vs \(item.right)")
            if item.order == 0 { #expect(left.hashValue == right.hashValue, "\(item.left) vs \(item.right)") }
        }
    }

    @Test func acceptsTheSpecifiersPackagingAccepts() {
        for item in Self.golden.specifiers {
            #expect((VersionSpecifierSet(item.specifier) != nil) == item.valid, "\(item.specifier)")
        }
    }

    @Test func matchesVersionsAsPackagingDoes() throws {
        #expect(Self.golden.contains.count > 1000)
        for item in Self.golden.contains {
            let specifiers = try #require(VersionSpecifierSet(item.specifier))
            let version = try #require(PEP440Version(item.version))
            #expect(specifiers.contains(version) == item.contains, "\(item.version) in '\(item.specifier)'")
        }
    }
}
