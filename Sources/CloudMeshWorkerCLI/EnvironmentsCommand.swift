import ArgumentParser
import Dependencies
import Foundation
import Worker

/// `environments`: the cached environments of jobs' PEP 723 dependencies, and pruning them.
///
/// Listing reads the cache's records with `EnvironmentCache.list(root:)`, never opening a cache (opening one
/// removes the `.tmp-*` staging directories of builds in progress), so it is safe beside a running worker.
/// Pruning removes environments a running worker may be about to use, so it runs only while it holds the
/// worker's lock on STATE_DIR, and refuses while a worker holds it.
struct EnvironmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "environments",
        abstract: "List the cached environments of jobs' dependencies; --prune evicts them.",
        discussion: """
            Lists the environments the worker built for jobs' PEP 723 dependencies, kept under \
            STATE_DIR/environments (--state-dir): the start of each key, size, when it was built, when a job last \
            used it, and its packages, least recently used first (the order the worker evicts them in), then the \
            total against ENVIRONMENT_CACHE_MB. Listing only reads, and is safe while a worker runs. --json prints \
            every field for scripts (the whole key, sizes in bytes, ISO 8601 times).

            --prune evicts the least recently used environments until the rest fit in ENVIRONMENT_CACHE_MB (or \
            --keep-mb; 0 removes them all), removes what interrupted builds left, and lists what it removed. A \
            running worker may be about to use any of its environments, so --prune refuses (status 1) while a \
            worker runs with the same STATE_DIR (it holds STATE_DIR/worker.lock): stop the worker first, or let it \
            prune itself (it evicts beyond ENVIRONMENT_CACHE_MB after every build and when it starts). A worker \
            started during a prune refuses to start, as beside another worker; a prune takes well under a second \
            per environment.

            Examples:
              cloudmesh-worker environments
              cloudmesh-worker environments --json --state-dir ./w1
              cloudmesh-worker environments --prune
                  evict down to ENVIRONMENT_CACHE_MB (the worker stopped)
              cloudmesh-worker environments --prune --keep-mb 0
                  remove every environment

            Exit status: 0 listed or pruned (also when there is nothing); 1 a worker is running (--prune) or the \
            directory cannot be read or changed; 2 usage or configuration error.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Print the environments (or, with --prune, what was removed and what is left) as JSON.")
    var json = false

    @Flag(help: "Evict least recently used environments down to ENVIRONMENT_CACHE_MB (refused while a worker runs).")
    var prune = false

    @Option(
        name: .customLong("keep-mb"),
        help: "With --prune: the megabytes (MiB) of environments to keep, instead of ENVIRONMENT_CACHE_MB.")
    var keepMB: Int?

    func validate() throws {
        if let keepMB {
            guard prune else { throw ValidationError("--keep-mb applies only with --prune") }
            guard keepMB >= 0 else { throw ValidationError("--keep-mb must be 0 or more") }
        }
    }

    func run() async throws {
        let context = try CommandContext.load(options)
        let root = context.configuration.environmentsDirectory
        if prune {
            let budgetMB = keepMB ?? context.configuration.dependencies.cacheMB
            try pruneEnvironments(
                root: root, stateDirectory: context.configuration.stateDirectory,
                budgetBytes: UInt64(budgetMB) << 20, budgetMB: budgetMB)
        } else {
            list(root: root, budgetMB: context.configuration.dependencies.cacheMB)
        }
    }

    // MARK: - Listing

    private func list(root: URL, budgetMB: Int) {
        let environments = EnvironmentCache.list(root: root)
        let building = Self.names(in: root).filter { $0.hasPrefix(".tmp-build-") }.count
        let total = EnvironmentFormatting.totalBytes(environments)
        if json {
            printJSON(
                root: root, budgetMB: budgetMB,
                [
                    ("total_bytes", .integer(Int64(clamping: total))),
                    ("builds_in_progress", .integer(Int64(building))),
                    ("environments", EnvironmentFormatting.jsonArray(environments)),
                ])
            return
        }
        if environments.isEmpty {
            Console.note("no environments in \(root.path)")
        } else {
            for line in EnvironmentFormatting.table(environments) { print(line) }
            print(
                "\(EnvironmentFormatting.count(environments.count)), \(EnvironmentFormatting.sizeText(total)) in "
                    + "\(root.path) (ENVIRONMENT_CACHE_MB \(budgetMB): the least recently used are evicted beyond it)")
        }
        if building > 0 {
            Console.note(
                "note: \(building) build(s) in progress, or left by an interrupted one (removed when the worker "
                    + "next starts, or by --prune)")
        }
    }

    /// Prints one JSON object: the environments directory and its budget, then `fields`.
    private func printJSON(root: URL, budgetMB: Int, _ fields: [(String, OrderedJSON)]) {
        let head: [(String, OrderedJSON)] = [
            ("directory", .string(root.path)), ("budget_bytes", .integer(Int64(budgetMB) << 20)),
        ]
        print(EnvironmentFormatting.text(.object(head + fields)))
    }

    // MARK: - Pruning

    private func pruneEnvironments(root: URL, stateDirectory: String, budgetBytes: UInt64, budgetMB: Int) throws {
        guard FileManager.default.fileExists(atPath: root.path) else {
            report(EnvironmentCache.Pruning(evicted: [], kept: [], leftovers: []), root: root, budgetMB: budgetMB)
            return
        }
        guard let lock = try WorkerLockProbe.take(stateDirectory: stateDirectory) else {
            throw CLIError(
                .failure,
                "a worker is running with STATE_DIR=\(stateDirectory) (it holds \(WorkerLockProbe.fileName)) and "
                    + "may be using its environments; nothing was removed",
                fix:
                    "stop the worker and run --prune again, or let it prune itself: it evicts beyond "
                    + "ENVIRONMENT_CACHE_MB after every build and when it starts (restart it with a lower value)")
        }
        let pruning: EnvironmentCache.Pruning
        do {
            pruning = try EnvironmentCache.prune(root: root, toBytes: budgetBytes)
        } catch {
            throw CLIError(.failure, "pruning \(root.path) failed: \(error)")
        }
        withExtendedLifetime(lock) {}
        report(pruning, root: root, budgetMB: budgetMB)
    }

    private func report(_ pruning: EnvironmentCache.Pruning, root: URL, budgetMB: Int) {
        if json {
            printJSON(
                root: root, budgetMB: budgetMB,
                [
                    ("removed_bytes", .integer(Int64(clamping: pruning.evictedBytes))),
                    ("kept_bytes", .integer(Int64(clamping: pruning.keptBytes))),
                    ("removed", EnvironmentFormatting.jsonArray(pruning.evicted)),
                    ("kept", EnvironmentFormatting.jsonArray(pruning.kept)),
                    ("leftovers_removed", .array(pruning.leftovers.map(OrderedJSON.string))),
                ])
            return
        }
        let kept =
            "\(EnvironmentFormatting.count(pruning.kept.count)) (\(EnvironmentFormatting.sizeText(pruning.keptBytes))) "
            + "kept within \(budgetMB) MiB"
        if pruning.evicted.isEmpty {
            print("nothing to remove: \(kept)")
        } else {
            print("removed:")
            for line in EnvironmentFormatting.table(pruning.evicted) { print("  " + line) }
            print(
                "removed \(EnvironmentFormatting.count(pruning.evicted.count)) "
                    + "(\(EnvironmentFormatting.sizeText(pruning.evictedBytes))); \(kept)")
        }
        if !pruning.leftovers.isEmpty {
            print(
                "removed \(pruning.leftovers.count) leftover(s) of interrupted builds: \(pruning.leftovers.joined(separator: ", "))"
            )
        }
    }

    /// The names in `directory` (none when it cannot be read).
    private static func names(in directory: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    }
}
