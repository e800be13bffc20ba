import DevnetSupport
import Foundation
import Testing

/// submit, jobs, show, result and cancel against the shared devnet.
@Suite(.endToEnd) struct JobCommandTests {
    @Test func submitListShowAndFetchTheVerifiedResult() async throws {
        let devnet = try await Devnet.shared()
        let cli = try CLI(devnet: devnet)
        defer { cli.cleanUp() }
        let owner = try await cli.useFundedKeypair(devnet)
        let file = try cli.write("hello.py", "print('hello from the CLI test')\n")

        let submitted = try await cli.run(["submit", file, "--title", "cli-hello", "--type", "api"])
        #expect(submitted.status == 0, "\(submitted)")
        let job = submitted.firstLine
        #expect(submitted.stderr.contains("matches the CID computed locally"), "\(submitted)")
        let onChain = try await devnet.control("/jobs/\(job)?commitment=confirmed")
        #expect(onChain["title"].string == "cli-hello" && onChain["owner"].string == owner)
        #expect(onChain["job_type"].string == "Api" && onChain["status"].string == "Pending")
        let codeCID = try #require(onChain["code_cid"].string)
        #expect(submitted.stderr.contains(codeCID))

        let again = try await cli.run(["submit", file, "--title", "cli-hello"])
        #expect(again.status == 6 && again.stderr.contains("already have a job titled"), "\(again)")

        let table = try await cli.run(["jobs", "--owner", owner])
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.contains("ADDRESS") == true && lines.first?.contains("RESULT CID") == true)
        let row = try #require(lines.first { $0.contains(job) })
        #expect(row.contains("cli-hello") && row.contains("pending") && row.contains(owner))

        let pendingResult = try await cli.run(["result", job])
        #expect(
            pendingResult.status == 5 && pendingResult.stderr.contains("still pending"),
            "\(pendingResult)")

        let document = DevnetJobs.resultDocument(job: job, stdout: "hello from the CLI test\n")
        let resultCID = try await DevnetJobs.add(devnet, document)
        try await DevnetJobs.complete(devnet, job: job, resultCID: resultCID, cost: 1_000_000)

        let result = try await cli.run(["result", job])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("\(resultCID) (verified)"))
        #expect(
            result.stdout.contains("returncode   0") && result.stdout.contains("duration_ms  7"),
            "\(result)")
        #expect(
            result.stdout.contains("--- stdout ---\nhello from the CLI test\n--- stderr ---"), "\(result)"
        )

        let raw = try await cli.run(["result", job, "--json"])
        #expect(raw.status == 0 && raw.stdout == document + "\n", "\(raw)")

        let completedOnly = try await cli.run([
            "jobs", "--owner", owner, "--status", "completed", "--json",
        ])
        #expect(completedOnly.status == 0, "\(completedOnly)")
        let listed = try JSONDecoder().decode([ListedJob].self, from: Data(completedOnly.stdout.utf8))
        #expect(listed.map(\.address) == [job])
        #expect(listed.first?.result_cid == resultCID && listed.first?.cost == 1_000_000)
        let pendingOnly = try await cli.run(["jobs", "--owner", owner, "--status", "pending", "--json"])
        #expect(
            pendingOnly.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(pendingOnly)")

        let shown = try await cli.run(["show", job])
        #expect(shown.status == 0, "\(shown)")
        for expected in [
            "status      completed", "type        api", "code CID    \(codeCID)",
            "result CID  \(resultCID)",
            "cost        0.001 SOL (1000000 lamports)", "has no record of this job",
        ] {
            #expect(shown.stdout.contains(expected), "missing \(expected): \(shown)")
        }
    }

    @Test func unknownJobsExitThree() async throws {
        let devnet = try await Devnet.shared()
        let cli = try CLI(devnet: devnet)
        defer { cli.cleanUp() }
        try await cli.useFundedKeypair(devnet)
        let nowhere = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"
        for command in ["show", "result", "cancel"] {
            let output = try await cli.run([command, nowhere])
            #expect(output.status == 3, "\(command): \(output)")
            #expect(output.stderr.contains("no job at \(nowhere)"), "\(output)")
        }
        let missingFile = try await cli.run(["submit", "nowhere.py", "--title", "t"])
        #expect(
            missingFile.status == 3 && missingFile.stderr.contains("no file at nowhere.py"),
            "\(missingFile)")
    }

    @Test func aResultCIDThatIsNotACIDIsReported() async throws {
        let devnet = try await Devnet.shared()
        let cli = try CLI(devnet: devnet)
        defer { cli.cleanUp() }
        let created = try await devnet.control("/jobs", ["title": "bad-cid", "code": "print(2)"])
        let job = try #require(created["job"].string)
        try await DevnetJobs.complete(devnet, job: job, resultCID: "not-a-cid")
        let output = try await cli.run(["result", job])
        #expect(output.status == 1, "\(output)")
        #expect(output.stderr.contains("\"not-a-cid\", is not a valid CID"), "\(output)")
    }

    @Test func cancelNamesTheProgramsRefusals() async throws {
        let devnet = try await Devnet.shared()
        let cli = try CLI(devnet: devnet)
        defer { cli.cleanUp() }
        let owner = try await cli.useFundedKeypair(devnet)
        let job = try await cli.run([
            "submit", try cli.write("c.py", "print(3)\n"), "--title", "to-cancel",
        ]).firstLine

        let cancelled = try await cli.run(["cancel", job])
        #expect(cancelled.status == 0 && cancelled.stdout.contains("cancelled \(job)"), "\(cancelled)")
        try await DevnetJobs.waitForStatus(devnet, job: job, "Cancelled")

        let twice = try await cli.run(["cancel", job])
        #expect(twice.status == 6, "\(twice)")
        #expect(
            twice.stderr.contains("JobAlreadyCancelled (6005): Job is already cancelled"), "\(twice)")

        let noResult = try await cli.run(["result", job])
        #expect(noResult.status == 5 && noResult.stderr.contains("cancelled"), "\(noResult)")

        let foreign = try await devnet.control("/jobs", ["title": "not-mine", "code": "print(4)"])
        let foreignJob = try #require(foreign["job"].string)
        try await DevnetJobs.waitForStatus(devnet, job: foreignJob, "Pending")
        let unauthorized = try await cli.run(["cancel", foreignJob])
        #expect(unauthorized.status == 6, "\(unauthorized)")
        #expect(
            unauthorized.stderr.contains(
                "Unauthorized (6008): Unauthorized: Only owner can perform this action"))
        #expect(unauthorized.stderr.contains("your keypair is \(owner)"), "\(unauthorized)")
    }

    @Test func submitWaitPrintsTheResultOnceSettledAndTimesOutWithFive() async throws {
        let devnet = try await Devnet.shared()
        let cli = try CLI(devnet: devnet)
        defer { cli.cleanUp() }
        try await cli.useFundedKeypair(devnet)
        let file = try cli.write("w.py", "print(6 * 7)\n")

        let running = try cli.start(["submit", file, "--title", "waited", "--wait", "--timeout", "60"])
        let job = try await running.firstLine()
        let resultCID = try await DevnetJobs.add(
            devnet, DevnetJobs.resultDocument(job: job, stdout: "42\n"))
        try await DevnetJobs.complete(devnet, job: job, resultCID: resultCID)
        let waited = try await running.wait()
        #expect(waited.status == 0, "\(waited)")
        #expect(waited.stdout.hasPrefix(job + "\n"))
        #expect(waited.stdout.contains("--- stdout ---\n42\n"), "\(waited)")

        let timedOut = try await cli.run([
            "submit", file, "--title", "never-settled", "--wait", "--timeout", "1",
        ])
        #expect(timedOut.status == 5, "\(timedOut)")
        #expect(
            timedOut.stderr.contains("still pending after 1 s")
                && timedOut.stderr.contains("cloudmesh-worker run"))
        #expect(!timedOut.firstLine.isEmpty)
    }

    @Test func submitPublishesThroughKuboWhenConfiguredAndNeedsAPublisher() async throws {
        let devnet = try await Devnet.shared()
        let cli = try CLI(devnet: devnet)
        defer { cli.cleanUp() }
        try await cli.useFundedKeypair(devnet)
        let file = try cli.write("k.py", "print('kubo')\n")
        let kubo = try await cli.run(
            ["submit", file, "--title", "via-kubo"],
            extraEnvironment: ["IPFS_API_URL": devnet.endpoints.ipfsAPIURL, "PINATA_JWT": ""])
        #expect(kubo.status == 0 && kubo.stderr.contains("to Kubo"), "\(kubo)")

        let none = try await cli.run(
            ["submit", file, "--title", "no-publisher"], extraEnvironment: ["PINATA_JWT": ""])
        #expect(none.status == 2 && none.stderr.contains("no IPFS publisher is configured"), "\(none)")

        let wrong = try await cli.run(
            ["submit", file, "--title", "bad-jwt"], extraEnvironment: ["PINATA_JWT": "secret-token-4711"])
        #expect(wrong.status == 2 && wrong.stderr.contains("PINATA_JWT"), "\(wrong)")
        #expect(
            !wrong.stderr.contains("secret-token-4711"), "the token must never be printed: \(wrong)")
    }
}

/// One element of `jobs --json`.
private struct ListedJob: Decodable {
    var address: String
    var result_cid: String?
    var cost: Int
}
