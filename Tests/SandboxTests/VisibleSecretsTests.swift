import Foundation
import Testing

@testable import Sandbox

/// Worker files visible inside the sandbox are refused, unless allowed by name.
@Suite struct VisibleSecretsTests {
    @Test func aKeypairInABoundDirectoryIsRefusedUnlessAllowed() async throws {
        // A directory bound read-only into the sandbox, as /usr is, holding a "keypair".
        let directory = "/var/tmp/cloudmesh-visible-" + TestSupport.token()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let keypair = directory + "/id.json"
        #expect(FileManager.default.createFile(atPath: keypair, contents: Data("[1,2,3]".utf8)))
        let hidden = "/var/lib/cloudmesh-state-" + TestSupport.token()

        var configuration = SandboxConfiguration(limits: ResourceLimits(wallTime: .seconds(10)))
        configuration.extraReadOnlyPaths = [directory]
        let runner = try SandboxRunner(configuration: configuration)
        let protected = VisibleSecrets.protectedPaths(secrets: [keypair, hidden], workingDirectory: "/")
        #expect(protected == [keypair, directory, hidden, "/var/lib"])
        let report = try await runner.probe(sensitivePaths: protected)
        #expect(VisibleSecrets.refused(report: report, protected: protected, allowed: []) == [directory, keypair])
        let allowed = VisibleSecrets.allowedPaths(setting: " \(keypair), \(directory)/ ")
        #expect(VisibleSecrets.refused(report: report, protected: protected, allowed: allowed).isEmpty)
        #expect(SandboxError.secretsVisible([keypair]).description.contains("SANDBOX_ALLOW_VISIBLE=\(keypair)"))

        // The default sandbox binds neither.
        let strict = try await TestSupport.runner().probe(sensitivePaths: protected)
        #expect(VisibleSecrets.refused(report: strict, protected: protected, allowed: []).isEmpty)
    }

    @Test func theWorkingDirectoryCountsOnlyWhenItHoldsAnEnvFile() throws {
        let directory = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(VisibleSecrets.protectedPaths(secrets: [], workingDirectory: directory).isEmpty)
        #expect(VisibleSecrets.protectedPaths(secrets: [], workingDirectory: "/").isEmpty)
        #expect(FileManager.default.createFile(atPath: directory + "/.env", contents: Data("PINATA_JWT=x\n".utf8)))
        #expect(
            VisibleSecrets.protectedPaths(secrets: [], workingDirectory: directory) == [directory + "/.env", directory])
    }
}
