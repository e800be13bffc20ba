import Foundation

/// How one pass of the pipeline over a job ended.
package enum JobRunResult: Sendable, Hashable {
    /// The job reached this terminal state (settled, lost race, cancelled, failed).
    case finished(JobState)
    /// The job is not pending any more and nothing was recorded for it: forget it.
    case dropped
    /// A transient failure: try again at `at`.
    case retry(at: Date, hasProgress: Bool)
    /// The result is kept but settlement is paused until the worker is funded.
    case awaitingFunds
    /// The pass was cancelled (shutdown); the journal says where to resume.
    case interrupted
    /// The journal failed: the worker must stop taking jobs.
    case journalFailure(JournalError)
}

/// A stage of the pipeline, for logs and metrics.
package enum PipelineStage: String, Sendable, Hashable, CaseIterable {
    /// Reading the job's state on-chain.
    case recheck
    /// Fetching the code from IPFS.
    case fetch
    /// Installing the job's PEP 723 dependencies.
    case dependencies
    /// Running the code.
    case execute
    /// Publishing the result document.
    case publish
    /// Sending complete_job and confirming it.
    case settle
    /// Following a transaction journaled earlier.
    case resume

    /// The system the stage talks to, for the error counters: `rpc`, `ipfs`, `index` (the Python package index,
    /// through uv) or `sandbox`.
    package var system: String {
        switch self {
        case .recheck, .settle, .resume: "rpc"
        case .fetch, .publish: "ipfs"
        case .dependencies: "index"
        case .execute: "sandbox"
        }
    }
}

/// A stage failed with `error`.
struct StageFailure: Error {
    var stage: PipelineStage
    var error: any Error

    var kind: FailureKind { FailureKind.of(error) }
    var message: String { "\(stage.rawValue): \(error)" }
}

/// The pipeline stops this pass because settlement is paused.
struct SettlementPaused: Error {}
