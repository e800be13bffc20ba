import Dependencies
import Foundation
import Testing
import WorkerTesting

@testable import Worker

/// PEP 723 dependencies in the pipeline, with a fake installer: the packages reach the executor and the
/// result, the environment is given back after the run, and what cannot be met is answered, not retried.
@Suite struct DependencyPipelineTests {
    let harness = Harness()

    /// Installs "packages" for code that declares any: `sitePackages` is `/deps/<count>`; counts releases.
    final class FakeInstaller: DependencyPreparer {
        let failure = Locked<StageError?>(nil)
        let released = Locked(0)
        let prepared = Locked(0)

        func prepare(code: [UInt8]) async throws -> PreparedDependencies? {
            guard try DeclaredDependencies.read(code, interpreter: PEP440Version("3.11.2")) != nil else { return nil }
            if let failure = failure.current { throw failure }
            let number = prepared.withLock { count in
                count += 1
                return count
            }
            let released = released
            return PreparedDependencies(
                sitePackages: "/deps/\(number)", packages: ["cm-alpha==1.0", "cm-beta==1.0"],
                release: { released.withLock { $0 += 1 } })
        }
    }

    static let declaring = "# /// script\n# dependencies = [\"cm-beta\"]\n# ///\nprint('with packages')\n"

    func run(_ code: String, installer: any DependencyPreparer) async throws -> (JobRunResult, ResultDocumentFields) {
        let journal = try harness.openJournal()
        let job = harness.addJob(1, code: code)
        let pipeline = harness.pipeline(journal: journal, gate: SettlementGate(), dependencies: installer)
        let result: JobRunResult
        switch await pipeline.prepare(job) {
        case .ready(let prepared): result = await pipeline.process(job, firstSeen: Date(), prepared: prepared)
        case .ended(let ended): result = ended
        }
        let record = try #require(try await journal.record(for: job.address))
        return (result, try ResultDocumentFields(try #require(record.resultDocument)))
    }

    @Test func declaredPackagesReachTheRunAndTheResultAndAreGivenBack() async throws {
        let installer = FakeInstaller()
        let (result, document) = try await run(Self.declaring, installer: installer)
        #expect(result == .finished(.settled))
        #expect(harness.executor.packages.current == ["/deps/1"])
        #expect(document.dependencies == ["cm-alpha==1.0", "cm-beta==1.0"])
        #expect(installer.released.current == 1)
    }

    @Test func codeWithoutMetadataRunsWithoutPackages() async throws {
        let installer = FakeInstaller()
        let (result, document) = try await run("print('plain')", installer: installer)
        #expect(result == .finished(.settled))
        #expect(harness.executor.packages.current == [nil])
        #expect(document.dependencies == nil)
        #expect(installer.prepared.current == 0)
    }

    @Test func dependenciesThatCannotBeMetAreAnsweredNotRetried() async throws {
        let installer = FakeInstaller()
        installer.failure.withLock { $0 = .invalidJobInput("its dependencies cannot be installed: no cm-nothing") }
        let (result, document) = try await run(Self.declaring, installer: installer)
        #expect(result == .finished(.settled))
        #expect(harness.executor.control.calls == 0, "the code never runs")
        #expect(document.returncode == -1)
        #expect(document.error == "its dependencies cannot be installed: no cm-nothing")
    }

    @Test func aWorkerWithoutUVAnswersJobsThatDeclareDependencies() async throws {
        let (_, document) = try await run(
            Self.declaring, installer: NoDependencyInstaller(reason: "uv is not installed on this worker"))
        #expect(document.returncode == -1)
        #expect(
            document.error
                == "it declares 1 dependencies and this worker does not install dependencies (uv is not installed on this worker)"
        )
    }

    @Test func requiresPythonIsCheckedAgainstTheSandboxInterpreter() async throws {
        let code = "# /// script\n# requires-python = \">=4\"\n# ///\nprint('never')\n"
        let (_, document) = try await run(
            code, installer: NoDependencyInstaller(reason: "none", interpreter: PEP440Version("3.11.2")))
        #expect(document.returncode == -1)
        #expect(document.error?.contains(">=4") == true, "\(document.error ?? "")")
        #expect(harness.executor.control.calls == 0)
    }

    @Test func malformedMetadataIsTheJobsFault() async throws {
        let code = "# /// script\n# dependencies = [\n# ///\nprint('never')\n"
        let (_, document) = try await run(code, installer: FakeInstaller())
        #expect(document.returncode == -1)
        #expect(document.error?.hasPrefix("its PEP 723 inline script metadata is unusable") == true)
    }
}

/// The fields of a result document these tests read.
struct ResultDocumentFields {
    let returncode: Int
    let error: String?
    let dependencies: [String]?

    init(_ bytes: [UInt8]) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        returncode = try #require(object["returncode"] as? Int)
        error = object["error"] as? String
        dependencies = object["dependencies"] as? [String]
    }
}

/// A worker running as root gives each job a user of its own, which must reach the environments directory.
@Suite struct EnvironmentReachabilityTests {
    @Test func aPrivateAncestorIsNamed() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("reach-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let closed = base.appendingPathComponent("private")
        let inside = closed.appendingPathComponent("state/environments")
        try FileManager.default.createDirectory(at: inside, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: base.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: closed.path)
        #expect(DependencySetup.privateAncestor(of: inside.path) == closed.path)
        #expect(DependencySetup.privateAncestor(of: closed.appendingPathComponent("not-yet").path) == closed.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o711], ofItemAtPath: closed.path)
        #expect(DependencySetup.privateAncestor(of: inside.path) == nil)
    }
}
