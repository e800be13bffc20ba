/// Why the worker could not start or stopped: a configuration problem (exit code 2), a runtime failure (exit
/// code 1), or a second signal that stopped it at once (exit code 130). Each line says what is wrong and, for
/// configuration problems, what to set.
public struct WorkerRuntimeError: Error, Sendable, CustomStringConvertible {
    /// The two ways of failing.
    public enum Kind: Sendable, Hashable {
        /// The configuration cannot be used: fix it and start again.
        case configuration
        /// Something failed while running.
        case runtime
        /// Stopped at once by a second SIGINT or SIGTERM; unfinished jobs resume next start.
        case interrupted
    }

    /// Which way it failed.
    public var kind: Kind
    /// One line per problem.
    public var lines: [String]

    /// Creates an error.
    package init(_ kind: Kind, _ lines: [String]) {
        self.kind = kind
        self.lines = lines
    }

    /// A configuration error with every problem of `error`, one line each.
    public init(_ error: ConfigurationError) {
        self.init(.configuration, error.problems.map(\.description))
    }

    /// The process exit code: 2 for configuration problems, 1 for runtime failures, 130 (as for SIGINT) when a
    /// second signal stopped the worker.
    public var exitCode: Int32 {
        switch kind {
        case .configuration: 2
        case .runtime: 1
        case .interrupted: 130
        }
    }

    /// The lines, joined.
    public var description: String { lines.joined(separator: "\n") }
}
