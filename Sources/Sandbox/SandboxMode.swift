/// How job code is isolated from the host.
public enum SandboxMode: String, Sendable, Equatable, CaseIterable {
    /// Run the job under bubblewrap in fresh user, pid, network, ipc, uts and cgroup namespaces.
    case bubblewrap = "bwrap"
    /// Run the job as a plain child process: resource limits, a scrubbed environment and a temporary
    /// working directory, but no isolation from the host's files, processes or network.
    case none

    /// Parses the value of the `SANDBOX` setting (`bwrap`, `bubblewrap` or `none`, case-insensitive).
    public init?(setting: String) {
        switch setting.lowercased() {
        case "bwrap", "bubblewrap": self = .bubblewrap
        case "none", "off": self = .none
        default: return nil
        }
    }
}
