/// How a failure of a stage should be handled.
package enum FailureKind: Sendable, Hashable {
    /// Trouble outside the job (RPC or gateway down, 429/5xx, timeouts): retry later with backoff.
    case transient
    /// The job's own input is invalid (unparsable CID, code too large, content failing verification
    /// everywhere): answer the owner with an error result document.
    case invalidJobInput
    /// The job's own input cannot be obtained now (its CID is not found, gateways time out on it): retried
    /// with backoff until `CODE_RETRIEVAL_DEADLINE` has passed since the first attempt, then answered with an
    /// error document saying what was tried.
    case inputUnavailable
    /// Cannot succeed for this job and is not the job's fault: the job is recorded as failed.
    case permanent
}

/// An error that knows how it should be handled. Adapters conform their modules' errors to it; errors that
/// do not conform are treated as ``FailureKind/transient`` (retrying is safe, giving up is not).
package protocol ClassifiedError: Error {
    /// How the worker should react.
    var failureKind: FailureKind { get }
}

extension ClassifiedError {
    /// Whether retrying later may succeed.
    package var isTransient: Bool { failureKind == .transient || failureKind == .inputUnavailable }
}

/// A ready-made classified error for adapters and tests.
package struct StageError: ClassifiedError, Sendable, Equatable, CustomStringConvertible {
    /// How the worker should react.
    package var failureKind: FailureKind
    /// What happened, in words for an operator (and, for invalid input, for the job's owner).
    package var message: String

    /// Creates an error.
    package init(_ failureKind: FailureKind, _ message: String) {
        self.failureKind = failureKind
        self.message = message
    }

    /// A transient failure.
    package static func transient(_ message: String) -> StageError { .init(.transient, message) }
    /// A permanent failure.
    package static func permanent(_ message: String) -> StageError { .init(.permanent, message) }
    /// The job's own input is invalid.
    package static func invalidJobInput(_ message: String) -> StageError { .init(.invalidJobInput, message) }
    /// The job's own input cannot be obtained now.
    package static func inputUnavailable(_ message: String) -> StageError { .init(.inputUnavailable, message) }

    /// The message.
    package var description: String { message }
}

extension FailureKind {
    /// The kind of any error: its own when it is a ``ClassifiedError``, transient otherwise.
    package static func of(_ error: any Error) -> FailureKind {
        (error as? any ClassifiedError)?.failureKind ?? .transient
    }
}
