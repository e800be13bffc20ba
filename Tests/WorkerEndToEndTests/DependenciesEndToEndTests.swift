import Dependencies
import DevnetSupport
import Foundation
import Testing
import Worker
import WorkerTesting

/// PEP 723 dependencies end to end (issue #14), against the devnet's package index stand-in (PEP 503 pages and
/// PEP 658 metadata over wheels built at devnet start from `devnet/packages/`; nothing touches the network):
/// the real worker resolves and installs a job's declared packages with uv, runs the job with them in the
/// sandbox and names them in the result; a second run with the same requirements reuses the environment
/// without downloading anything again; jobs whose dependencies cannot be met get an error document; a job with
/// dependencies still has no network; a job without metadata runs as before.
@Suite(
    "End to end: PEP 723 dependencies", .endToEnd, .timeLimit(.minutes(3)),
    .enabled(if: InstalledUV.path != nil, "uv not found: run scripts/setup.sh (installs .venv/bin/uv)"))
struct DependenciesEndToEndTests {
    static func code(dependencies: [String], body: String) -> String {
        let list = dependencies.map { "\"\($0)\"" }.joined(separator: ", ")
        return "# /// script\n# dependencies = [\(list)]\n# ///\n\(body)\n"
    }

    /// A job that tries to connect to `targets` and prints, for each, `host:port connected` or `host:port
    /// blocked: <exception>`.
    static func connectionAttempts(_ targets: [(String, Int)]) -> String {
        let list = targets.map { "(\"\($0.0)\", \($0.1))" }.joined(separator: ", ")
        return """
            import socket
            for host, port in [\(list)]:
                try:
                    socket.create_connection((host, port), timeout=3).close()
                    print(f"{host}:{port} connected")
                except OSError as error:
                    print(f"{host}:{port} blocked: {type(error).__name__}")
            """
    }

    @Test("Packages from the devnet's index: installed, reused, pinned, refused, offline; plain jobs unchanged")
    func dependenciesFromTheDevnetIndex() async throws {
        let stack = try await EndToEndStack.start()
        defer { stack.stop() }
        let index = stack.devnet.endpoints.indexURL
        let indexPort = try #require(URL(string: index)?.port)

        let greeter = try await stack.createJob(
            code: Self.code(
                dependencies: ["cm-greeter"], body: "import cm_greeter\nprint(cm_greeter.greet('CloudMesh'))"))
        let twin = try await stack.createJob(
            code: Self.code(dependencies: ["cm-greeter"], body: "import cm_greeter\nprint(cm_greeter.greet('twin'))"))
        let pinned = try await stack.createJob(
            code: Self.code(
                dependencies: ["cm-greeting<2"],
                body: "import cm_greeting\nprint(cm_greeting.__version__, cm_greeting.GREETING)"))
        let sdistOnly = try await stack.createJob(
            code: Self.code(dependencies: ["cm-sdist-only"], body: "print('never runs')"))
        let unknown = try await stack.createJob(
            code: Self.code(dependencies: ["cm-no-such-package"], body: "print('never runs')"))
        let offline = try await stack.createJob(
            code: Self.code(
                dependencies: ["cm-future"],
                body: "import cm_future\nprint('cm-future', cm_future.__version__)\n"
                    + Self.connectionAttempts([("127.0.0.1", indexPort), ("1.1.1.1", 443)])))
        let plain = try await stack.createJob(code: "print('no metadata')")
        let firstRun = [greeter, twin, pinned, sdistOnly, unknown, offline, plain]

        let setup = try await stack.workerSetup(
            "dependencies", extra: ["UV_PATH": try #require(InstalledUV.path), "PYTHON_INDEX_URL": index])
        let worker = try await stack.runOnce(setup)
        #expect(worker.log.contains("dependencies: PEP 723 dependencies are installed with uv"))
        var onChain = try await stack.waitForStatus(
            "Completed", of: firstRun.map(\.address), timeout: .seconds(10))
        func document(_ job: EndToEndStack.CreatedJob) async throws -> PublishedDocument {
            try PublishedDocument(
                try await stack.gatewayBytes(try #require(onChain[job.address]?["result_cid"].string)))
        }

        // A job importing a package prints its value; the result names the resolved set, after `worker`.
        let greeted = try await document(greeter)
        #expect(greeted.returncode == 0, "\(greeted.stderr)")
        #expect(greeted.stdout == "Hello from cm-greeting 2.0 to CloudMesh (cm-greeter 1.0, cm-greeting 2.0)\n")
        #expect(greeted.dependencies == ["cm-greeter==1.0", "cm-greeting==2.0"])
        #expect(greeted.keys.firstIndex(of: "dependencies") == greeted.keys.firstIndex(of: "worker").map { $0 + 1 })
        let twinned = try await document(twin)
        #expect(twinned.stdout.hasPrefix("Hello from cm-greeting 2.0 to twin"), "\(twinned.stderr)")
        #expect(twinned.dependencies == greeted.dependencies)

        // A version constraint picks the right release; a release whose Requires-Python the sandbox's
        // interpreter does not meet (cm-future 2.0 needs Python 4) is passed over.
        let pinnedDocument = try await document(pinned)
        #expect(pinnedDocument.stdout == "1.0 Hello from cm-greeting 1.0\n", "\(pinnedDocument.stderr)")
        #expect(pinnedDocument.dependencies == ["cm-greeting==1.0"])

        // No connection from a job with dependencies: not to the index it was installed from, not outside.
        let offlineDocument = try await document(offline)
        #expect(offlineDocument.returncode == 0, "\(offlineDocument.stderr)")
        #expect(offlineDocument.dependencies == ["cm-future==1.0"])
        let lines = offlineDocument.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "cm-future 1.0")
        #expect(lines.contains { $0.hasPrefix("127.0.0.1:\(indexPort) blocked: ") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("1.1.1.1:443 blocked: ") }, "\(lines)")
        #expect(!offlineDocument.stdout.contains("connected"), "\(lines)")

        // Dependencies that cannot be met: an error document naming the requirement.
        for (job, word, reason) in [
            (sdistOnly, "cm-sdist-only", "no usable wheels"), (unknown, "cm-no-such-package", "not found"),
        ] {
            let refused = try await document(job)
            #expect(refused.returncode == -1)
            let error = refused.error ?? ""
            #expect(error.contains("its dependencies cannot be installed"), "\(error)")
            #expect(error.contains(word) && error.contains(reason), "\(error)")
            #expect(refused.stderr.contains(word), "\(refused.stderr)")
            #expect(refused.stdout.isEmpty && refused.dependencies == nil)
        }

        // A plain job is unchanged: no dependencies field, nothing installed for it.
        let plainDocument = try await document(plain)
        #expect(plainDocument.returncode == 0 && plainDocument.stdout == "no metadata\n")
        #expect(plainDocument.error == nil && !plainDocument.keys.contains("dependencies"))

        // Three environments (one per resolved set); each wheel fetched once, resolution read only the
        // PEP 658 metadata files, the sdist was never downloaded, and its setup.py never ran.
        let environments = URL(fileURLWithPath: setup.stateDirectory).appendingPathComponent("environments")
        let built = EnvironmentCache.list(root: environments)
        #expect(
            Set(built.map(\.packages)) == [
                ["cm-greeter==1.0", "cm-greeting==2.0"], ["cm-greeting==1.0"], ["cm-future==1.0"],
            ])
        let status = try await stack.devnet.control("/status")
        let downloads = status["index"]["downloads"]
        for wheel in [
            "cm_greeter-1.0-py3-none-any.whl", "cm_greeting-2.0-py3-none-any.whl", "cm_greeting-1.0-py3-none-any.whl",
            "cm_future-1.0-py3-none-any.whl",
        ] {
            #expect(downloads[wheel].int == 1, "\(wheel): \(downloads)")
        }
        #expect(downloads["cm_future-2.0-py3-none-any.whl"] == .null, "\(downloads)")
        #expect(downloads["cm_sdist_only-1.0.tar.gz"] == .null, "\(downloads)")
        let marker = try #require(status["index"]["sdist_marker"].string)
        #expect(!FileManager.default.fileExists(atPath: marker), "cm-sdist-only's setup.py ran")

        // A later worker run with the same requirements reuses the environment: nothing is installed again.
        let greeterEnvironment = try #require(built.first { $0.packages.first == "cm-greeter==1.0" })
        let again = try await stack.createJob(
            code: Self.code(dependencies: ["cm-greeter"], body: "import cm_greeter\nprint(cm_greeter.greet('again'))"))
        try await stack.runOnce(setup)
        onChain = try await stack.waitForStatus("Completed", of: [again.address], timeout: .seconds(10))
        let againDocument = try await document(again)
        #expect(againDocument.stdout.hasPrefix("Hello from cm-greeting 2.0 to again"), "\(againDocument.stderr)")
        #expect(againDocument.dependencies == greeted.dependencies)
        let after = EnvironmentCache.list(root: environments)
        #expect(after.map(\.key).sorted() == built.map(\.key).sorted(), "no new environment")
        let reused = try #require(after.first { $0.key == greeterEnvironment.key })
        #expect(reused.createdAt == greeterEnvironment.createdAt)
        #expect((reused.lastUsed ?? .distantPast) > (greeterEnvironment.lastUsed ?? .distantFuture))
        let downloadsAfter = try await stack.devnet.control("/status")["index"]["downloads"]
        #expect(downloadsAfter["cm_greeter-1.0-py3-none-any.whl"].int == 1, "\(downloadsAfter)")
        #expect(downloadsAfter["cm_greeting-2.0-py3-none-any.whl"].int == 1, "\(downloadsAfter)")
    }
}

/// The uv that scripts/setup.sh installs into the checkout's venv.
private enum InstalledUV {
    static let path: String? = {
        let path = EndToEndStack.repositoryRoot.appendingPathComponent(".venv/bin/uv").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()
}
