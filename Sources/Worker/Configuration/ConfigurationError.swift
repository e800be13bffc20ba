/// One configuration value that cannot be used.
package struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The variable, e.g. `POLL_INTERVAL`.
    package var variable: String
    /// The value given, or nil when it must not be shown (secrets) or was missing.
    package var value: String?
    /// What is wrong with it.
    package var problem: String
    /// What to set instead.
    package var fix: String

    /// Creates a problem report.
    package init(variable: String, value: String?, problem: String, fix: String) {
        self.variable = variable
        self.value = value
        self.problem = problem
        self.fix = fix
    }

    /// `POLL_INTERVAL="abc" is not valid: not a whole number. Set POLL_INTERVAL to ...`
    package var description: String {
        let shown = value.map { "\(variable)=\"\($0)\"" } ?? variable
        return "\(shown) is not valid: \(problem). \(fix)"
    }
}

/// The configuration cannot be used; lists every problem found, one per line.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every problem found.
    package var problems: [ConfigurationProblem]

    /// Creates the error.
    package init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    /// One line per problem.
    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
