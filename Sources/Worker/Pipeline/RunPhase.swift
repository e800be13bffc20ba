/// Where a running job is in its pass through the pipeline, as the scheduler counts it.
///
/// Only an executing job holds an execution slot. A publishing job holds its result document in memory, so
/// publishing jobs are bounded with the executing ones; a settling job holds only its result's CID.
package enum RunPhase: Int, Sendable, Hashable, Comparable {
    /// Executing, or about to: it holds an execution slot.
    case executing
    /// Its result document is recorded and being published.
    case publishing
    /// Its result is published and its complete_job is being sent or confirmed.
    case settling

    package static func < (lhs: RunPhase, rhs: RunPhase) -> Bool { lhs.rawValue < rhs.rawValue }
}
