import Foundation
import Testing
import Worker

/// PEP 723 dependencies end to end (issue #14): the real worker resolves and installs a job's declared
/// packages with uv from a local index (built by `Tests/DependenciesTests/Fixtures/make_index.py`, served as
/// `file://`, so nothing touches the network), runs the job with them in the sandbox, and names them in the
/// result; a job whose dependencies cannot be met gets an error document; a job without metadata runs as before.
@Suite(
    "End to end: PEP 723 dependencies", .timeLimit(.minutes(3)),
    .enabled(if: InstalledUV.path != nil, "uv not found: run scripts/setup.sh (installs .venv/bin/uv)"))
struct DependenciesEndToEndTests {
    /// Writes the fixture index under `directory` and returns its `file://` URL.
    static func makeIndex(in directory: URL) throws -> String {
        let script = EndToEndStack.repositoryRoot.appendingPathComponent(
            "Tests/DependenciesTests/Fixtures/make_index.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, directory.path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw EndToEndFailure("make_index.py failed") }
        return "file://" + directory.appendingPathComponent("simple").path
    }

    static func code(dependencies: [String], body: String) -> String {
        let list = dependencies.map { "\"\($0)\"" }.joined(separator: ", ")
        return "# /// script\n# dependencies = [\(list)]\n# ///\n\(body)\n"
    }

    @Test("Declared packages are installed, importable in the sandbox and named in the result")
    func declaredDependenciesRun() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let index = try Self.makeIndex(in: stack.directory.appendingPathComponent("index"))
        let withPackages = try await stack.createJob(
            code: Self.code(
                dependencies: ["cm-beta"],
                body: "import cm_alpha, cm_beta\nprint(cm_beta.VALUE, cm_alpha.VALUE)"))
        let unknown = try await stack.createJob(
            code: Self.code(dependencies: ["cm-no-such-package"], body: "print('never runs')"))
        let sdistOnly = try await stack.createJob(
            code: Self.code(dependencies: ["cm-sdist-only"], body: "print('never runs')"))
        let plain = try await stack.createJob(code: "print('no metadata')")
        let jobs = [withPackages, unknown, sdistOnly, plain]
        let setup = try await stack.workerSetup(
            "dependencies", extra: ["UV_PATH": try #require(InstalledUV.path), "PYTHON_INDEX_URL": index])
        let worker = try await stack.runOnce(setup)
        #expect(worker.log.contains("dependencies: PEP 723 dependencies are installed with uv"))
        let onChain = try await stack.waitForStatus("Completed", of: jobs.map(\.address), timeout: .seconds(10))
        func document(_ job: EndToEndStack.CreatedJob) async throws -> PublishedDocument {
            try PublishedDocument(
                try await stack.gatewayBytes(try #require(onChain[job.address]?["result_cid"].string)))
        }

        let ran = try await document(withPackages)
        #expect(ran.returncode == 0, "\(ran.stderr)")
        #expect(ran.stdout.hasPrefix("beta"), "\(ran.stdout)")
        #expect(ran.stdout.contains("alpha 1.0"), "cm-beta needs cm-alpha<2: \(ran.stdout)")
        #expect(ran.dependencies == ["cm-alpha==1.0", "cm-beta==1.0"])
        #expect(ran.keys.firstIndex(of: "dependencies") == ran.keys.firstIndex(of: "worker").map { $0 + 1 })

        for (job, word) in [(unknown, "cm-no-such-package"), (sdistOnly, "cm-sdist-only")] {
            let refused = try await document(job)
            #expect(refused.returncode == -1)
            #expect(refused.error?.contains("its dependencies cannot be installed") == true, "\(refused.error ?? "")")
            #expect(refused.error?.contains(word) == true, "\(refused.error ?? "")")
            #expect(refused.stdout.isEmpty)
        }

        let plainDocument = try await document(plain)
        #expect(plainDocument.stdout == "no metadata\n")
        #expect(plainDocument.dependencies == nil && !plainDocument.keys.contains("dependencies"))
    }
}

/// The uv that scripts/setup.sh installs into the checkout's venv.
private enum InstalledUV {
    static let path: String? = {
        let path = EndToEndStack.repositoryRoot.appendingPathComponent(".venv/bin/uv").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()
}
