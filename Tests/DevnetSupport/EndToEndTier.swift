import Foundation
import Testing

/// The end-to-end tier: suites that run the real `cloudmesh-worker` binary (`$CLOUDMESH_WORKER_BINARY`, else
/// `.build/debug/cloudmesh-worker`) against devnets. They take minutes and need the binary built and the devnet's
/// venv, so a plain `swift test` skips them; `CLOUDMESH_END_TO_END=1` runs them (`scripts/test.sh` sets it for its
/// end-to-end run).
public enum EndToEndTier {
    /// The environment variable that enables the tier.
    public static let variable = "CLOUDMESH_END_TO_END"

    /// Whether ``variable`` is `1` in this process's environment.
    public static var isEnabled: Bool { ProcessInfo.processInfo.environment[variable] == "1" }
}

extension Trait where Self == ConditionTrait {
    /// Runs a suite only when ``EndToEndTier`` is enabled; otherwise it is skipped, saying how to run it.
    public static var endToEnd: Self {
        .enabled(
            if: EndToEndTier.isEnabled,
            "end to end: set CLOUDMESH_END_TO_END=1 to run it (scripts/test.sh does), after scripts/setup.sh and swift build"
        )
    }
}
