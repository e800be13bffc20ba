import Dependencies
import Foundation
import Worker
import WorkerCLISupport

/// Renders cached dependency environments for `environments`: an aligned table for people, JSON for scripts.
/// Records are read from disk, so their strings are sanitized before they reach a terminal.
enum EnvironmentFormatting {
    /// Characters of the key shown in tables (the whole key is in `--json`).
    static let shortKeyLength = 12
    /// Packages named per row of a table before "+N more".
    static let packagesShown = 4

    /// `512 B`, `44.0 KiB`, `12.3 MiB`, `1.2 GiB`, `512 MiB` (binary units).
    static func sizeText(_ bytes: UInt64) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        var unit = "KiB"
        for next in ["MiB", "GiB", "TiB"] where value >= 1024 {
            value /= 1024
            unit = next
        }
        return value < 100 ? String(format: "%.1f", value) + " " + unit : "\(Int(value.rounded())) \(unit)"
    }

    /// The packages of one environment, at most ``packagesShown`` of them then `+N more`.
    static func packagesText(_ packages: [String]) -> String {
        let shown = packages.prefix(packagesShown).map(JobFormatting.sanitize).joined(separator: ", ")
        let rest = packages.count - min(packages.count, packagesShown)
        return rest > 0 ? "\(shown), +\(rest) more" : shown
    }

    /// The table: short key, size, created, last used, packages; one row per environment, in the order given.
    static func table(_ environments: [CachedEnvironment]) -> [String] {
        let header = ["KEY", "SIZE", "CREATED", "LAST USED", "PACKAGES"]
        let rows = environments.map { environment in
            [
                String(JobFormatting.sanitize(environment.key).prefix(shortKeyLength)),
                sizeText(environment.sizeBytes), JobFormatting.timeText(environment.createdAt),
                environment.lastUsed.map(JobFormatting.timeText) ?? "-", packagesText(environment.packages),
            ]
        }
        return JobFormatting.alignedRows([header] + rows)
    }

    /// Every field of an environment: key, packages, size in bytes, the interpreter, ISO 8601 times.
    static func json(_ environment: CachedEnvironment) -> OrderedJSON {
        .object([
            ("key", .string(environment.key)),
            ("packages", .array(environment.packages.map(OrderedJSON.string))),
            ("size_bytes", .integer(Int64(clamping: environment.sizeBytes))),
            ("python", .string(environment.interpreter.version)),
            ("platform", .string(environment.interpreter.platform)),
            ("created_at", .string(JobFormatting.timeText(environment.createdAt))),
            ("last_used", environment.lastUsed.map { .string(JobFormatting.timeText($0)) } ?? .null),
        ])
    }

    /// An array of ``json(_:)`` objects.
    static func jsonArray(_ environments: [CachedEnvironment]) -> OrderedJSON {
        .array(environments.map(json))
    }

    /// The bytes `environments` take together.
    static func totalBytes(_ environments: [CachedEnvironment]) -> UInt64 {
        environments.reduce(0) { $0 + $1.sizeBytes }
    }

    /// `1 environment`, `3 environments`.
    static func count(_ number: Int) -> String {
        number == 1 ? "1 environment" : "\(number) environments"
    }

    /// JSON text of `value`.
    static func text(_ value: OrderedJSON) -> String {
        String(decoding: value.bytes, as: UTF8.self)
    }
}
