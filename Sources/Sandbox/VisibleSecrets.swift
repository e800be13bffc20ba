import Foundation

/// Which worker files must never be visible inside the sandbox, and which of those a probe found: the
/// worker refuses to start on any of them (fail closed) unless the operator allowed it by name.
public enum VisibleSecrets {
    /// The paths a probe must check: each secret (the keypair file, the state directory, env files), the
    /// directory holding it (unless that is `/`), and the working directory's `.env` with the working
    /// directory itself only when that `.env` exists (a worker started from `/` is not refused for `/`).
    public static func protectedPaths(secrets: [String], workingDirectory: String) -> [String] {
        var files = secrets.filter { !$0.isEmpty }
        let dotEnv = (workingDirectory as NSString).appendingPathComponent(".env")
        if FileManager.default.fileExists(atPath: dotEnv) { files.append(dotEnv) }
        var paths: [String] = []
        for file in files {
            let standardized = (file as NSString).standardizingPath
            let directory = (standardized as NSString).deletingLastPathComponent
            for path in [standardized, directory] where path.hasPrefix("/") && path != "/" && !paths.contains(path) {
                paths.append(path)
            }
        }
        return paths
    }

    /// `SANDBOX_ALLOW_VISIBLE`: comma-separated paths the operator accepts being visible.
    public static func allowedPaths(setting: String?) -> Set<String> {
        Set(
            (setting ?? "").split(separator: ",").map {
                ($0.trimmingCharacters(in: .whitespaces) as NSString).standardizingPath
            }.filter { !$0.isEmpty })
    }

    /// The protected paths the report found visible and the operator did not allow.
    public static func refused(report: SandboxProbeReport, protected: [String], allowed: Set<String>) -> [String] {
        report.visibleSensitivePaths.filter { protected.contains($0) && !allowed.contains($0) }.sorted()
    }
}
