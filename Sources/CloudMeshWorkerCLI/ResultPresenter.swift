import CloudMesh
import IPFS
import Solana
import Worker
import WorkerCLISupport

/// Fetches a completed job's result document, verified against the CID on chain, and prints it.
struct ResultPresenter {
    let context: CommandContext

    /// The verified bytes of the result of `job`; exits 5 when it has none.
    func fetch(_ job: Job, address: PublicKey) async throws -> (cid: CID, bytes: [UInt8]) {
        switch job.status {
        case .pending:
            throw CLIError(
                .notSettled, "job \(address) is still pending: no worker has completed it yet",
                fix: "wait for a worker (`cloudmesh-worker run`), or use `submit --wait` next time")
        case .cancelled:
            throw CLIError(.notSettled, "job \(address) was cancelled by its owner; it has no result")
        case .completed:
            break
        }
        let cid: CID
        do {
            cid = try CID(job.resultCID)
        } catch {
            throw CLIError(
                .failure,
                "the result CID on chain, \"\(JobFormatting.sanitize(String(job.resultCID.prefix(100))))\", is not a valid CID (\(error))",
                fix: "the worker that completed the job published a bad CID; there is nothing to fetch")
        }
        let limit = max(16 << 20, context.configuration.maxOutputBytes * 12 + 65_536)
        let fetcher = GatewayFetcher(
            gateways: context.configuration.gatewayURLs.map(\.absoluteString), maxBytes: limit,
            logger: context.logger)
        return (cid, try await fetcher.fetch(cid: cid))
    }

    /// Prints the result: the raw document with `json`, else a readable summary.
    func print(_ bytes: [UInt8], cid: CID, job: Job, address: PublicKey, json: Bool) throws {
        if json {
            Swift.print(String(decoding: bytes, as: UTF8.self))
            return
        }
        let summary = try ResultSummary(bytes: bytes)
        var rows: [[String]] = [
            ["job", "\(address) (\(JobFormatting.sanitize(job.title)))"],
            ["result CID", "\(cid) (verified)"],
            ["returncode", "\(summary.returnCode)"],
            ["executed_at", JobFormatting.sanitize(summary.executedAt)],
        ]
        // The job's address is the first row already; plain strings are shown without their JSON quotes.
        rows += summary.extras.filter { $0.name != "job" }.map {
            [$0.name, JobFormatting.sanitize(Self.unquoted($0.json))]
        }
        for line in JobFormatting.alignedRows(rows) { Swift.print(line) }
        Swift.print("--- stdout ---")
        Swift.print(
            Self.terminalSafe(summary.stdout), terminator: summary.stdout.hasSuffix("\n") ? "" : "\n")
        Swift.print("--- stderr ---")
        Swift.print(
            Self.terminalSafe(summary.stderr), terminator: summary.stderr.hasSuffix("\n") ? "" : "\n")
    }

    /// Job output with control characters other than newline and tab replaced (no escape sequences reach
    /// the terminal).
    static func terminalSafe(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar == "\n" || scalar == "\t" || scalar.properties.generalCategory != .control
                        ? scalar : "?"
                }))
    }

    /// A JSON string without escapes, shown without its quotes; any other JSON text as it is.
    static func unquoted(_ json: String) -> String {
        guard json.count >= 2, json.hasPrefix("\""), json.hasSuffix("\""), !json.contains("\\") else { return json }
        return String(json.dropFirst().dropLast())
    }
}
