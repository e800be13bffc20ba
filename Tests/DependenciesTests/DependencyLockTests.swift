import Testing

@testable import Dependencies

@Suite struct DependencyLockTests {
    static let interpreter = PythonInterpreter(
        path: "/usr/bin/python3", version: "3.11.2", platform: "linux-x86_64", implementation: "cpython-311",
        libc: "glibc 2.36")

    static let uvOutput = """
        cm-beta==1.0 \\
            --hash=sha256:934894b8c559ec3ac5a63cb50827ec006e34e4bdc287d3fa2a561cde250af93a
        # a comment uv could write
        Cm_Alpha==1.0 \\
            --hash=sha256:ffff \\
            --hash=sha256:b614d8d21be4e20d4c87faefd28b525b0f0ce9e3a41f6ed5be7d2dc9c80d8cd6

        """

    @Test func readsUVsOutputSortedAndNormalized() throws {
        let lock = try DependencyLock(uvOutput: Self.uvOutput)
        #expect(lock.pins == ["cm-alpha==1.0", "cm-beta==1.0"])
        #expect(
            lock.packages[0].hashes == [
                "sha256:b614d8d21be4e20d4c87faefd28b525b0f0ce9e3a41f6ed5be7d2dc9c80d8cd6", "sha256:ffff",
            ])
        #expect(
            lock.requirementsText == """
                cm-alpha==1.0 \\
                    --hash=sha256:b614d8d21be4e20d4c87faefd28b525b0f0ce9e3a41f6ed5be7d2dc9c80d8cd6 \\
                    --hash=sha256:ffff
                cm-beta==1.0 \\
                    --hash=sha256:934894b8c559ec3ac5a63cb50827ec006e34e4bdc287d3fa2a561cde250af93a

                """)
    }

    @Test func theKeyDependsOnTheLockAndTheInterpreterOnly() throws {
        let lock = try DependencyLock(uvOutput: Self.uvOutput)
        let reordered = DependencyLock(packages: lock.packages.reversed())
        #expect(lock.key(for: Self.interpreter) == reordered.key(for: Self.interpreter))
        #expect(lock.key(for: Self.interpreter).count == 64)
        var otherPython = Self.interpreter
        otherPython.version = "3.12.0"
        #expect(lock.key(for: Self.interpreter) != lock.key(for: otherPython))
        var moved = Self.interpreter
        moved.path = "/opt/python3"
        #expect(lock.key(for: Self.interpreter) == lock.key(for: moved))
        var rehashed = lock
        rehashed.packages[1].hashes = ["sha256:0000"]
        #expect(lock.key(for: Self.interpreter) != rehashed.key(for: Self.interpreter))
    }

    @Test(arguments: [
        "cm-alpha==1.0\n",
        "--index-url http://evil/\ncm-alpha==1.0 \\\n    --hash=sha256:aa\n",
        "cm-alpha>=1.0 \\\n    --hash=sha256:aa\n",
        "cm-alpha==1.0 \\\n    --hash=md5:aa\n",
        "cm-alpha==1.0 ; python_version > '3' \\\n    --hash=sha256:aa\n",
    ])
    func refusesAnythingButPinnedHashedPackages(output: String) {
        #expect(throws: DependencyError.self) { try DependencyLock(uvOutput: output) }
    }

    @Test func boundsTheNumberOfPackages() {
        let output = (0...DependencyLock.maximumPackages).map { "p\($0)==1.0 \\\n    --hash=sha256:aa\n" }.joined()
        #expect(throws: DependencyError.tooManyPackages(count: 1025, limit: 1024)) {
            try DependencyLock(uvOutput: output)
        }
    }
}

@Suite struct UVDiagnosticsTests {
    let diagnostics = UVDiagnostics(indexURL: "https://alice:pa%24%24word@index.example/simple")

    @Test(arguments: [
        ("error: Failed to write to the cache\n  cause: No space left on device (os error 28)", "diskFull"),
        ("error: Failed to fetch: `https://index.example/simple/x/`\n  cause: dns error", "indexUnavailable"),
        (
            "error: Request failed after 3 retries\n  cause: HTTP status server error (503 Service Unavailable)",
            "indexUnavailable"
        ),
        ("error: something new went wrong", "uvFailed"),
        ("error: Couldn't parse requirement in `requirements.in` at position 0", "invalidRequirement"),
    ])
    func classifiesFailures(stderr: String, kind: String) {
        let error = diagnostics.classify(stderr: stderr, requirements: [])
        #expect("\(error)".hasPrefix(Self.prefix(kind)), "\(error)")
        #expect(error.isJobFault == (kind == "invalidRequirement"))
    }

    static func prefix(_ kind: String) -> String {
        switch kind {
        case "diskFull": "no space left for dependencies: "
        case "indexUnavailable": "the package index is unavailable: "
        case "invalidRequirement": "invalid dependencies: "
        default: "uv failed: "
        }
    }

    @Test func namesTheFirstRequirementTheExplanationMentions() throws {
        let stderr = """
            error: No solution found when resolving dependencies
              cause: Because Foo_Bar was not found in the package registry and you require foo-bar, we can conclude that your requirements are unsatisfiable.
            """
        let requirements = try ["rich", "Foo_Bar>=1"].map { try Requirement(parsing: $0) }
        #expect(
            diagnostics.classify(stderr: stderr, requirements: requirements)
                == .unsatisfiable(
                    package: "foo-bar",
                    explanation:
                        "Because Foo_Bar was not found in the package registry and you require foo-bar, we can conclude that your requirements are unsatisfiable."
                ))
    }

    @Test func redactsTheIndexCredentialsWhereverTheyAppear() {
        let text = "user alice:pa%24%24word, password pa$$word, url https://bob:other@host/x?token=t0k"
        #expect(
            diagnostics.redact(text) == "user REDACTED, password REDACTED, url https://REDACTED@host/x?token=REDACTED")
    }

    @Test func cutsLongMessages() {
        let long = "error: " + String(repeating: "word ", count: 500)
        #expect(diagnostics.clean(long).count == UVDiagnostics.maximumMessageLength + 1)
    }
}
