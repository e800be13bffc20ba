import Foundation
import Solana

/// Something that happened to a job, recorded in the journal.
package enum JobEvent: Sendable, Hashable {
    /// Fetching and executing begins.
    case started
    /// Execution finished (or the input was rejected) with this result document.
    case executed(resultDocument: [UInt8])
    /// The document is on IPFS under this CID.
    case published(resultCID: String)
    /// complete_job was signed; about to be sent.
    case submitted(SubmittedTransaction)
    /// The submitted transaction can no longer land: sign again with the same CID.
    case expired
    /// complete_job landed (signature nil when observed on-chain only as our CID).
    case settled(signature: Signature?, slot: UInt64?)
    /// Another worker completed the job.
    case lostRace(reason: String)
    /// The owner cancelled the job.
    case cancelled(reason: String)
    /// The job cannot be completed.
    case failed(reason: String)
    /// A transient failure; try again at `retryAt`.
    case transientFailure(message: String, retryAt: Date)

    /// A short name for the transitions table and logs.
    package var name: String {
        switch self {
        case .started: "started"
        case .executed: "executed"
        case .published: "published"
        case .submitted: "submitted"
        case .expired: "expired"
        case .settled: "settled"
        case .lostRace: "lost_race"
        case .cancelled: "cancelled"
        case .failed: "failed"
        case .transientFailure: "transient_failure"
        }
    }
}

/// What the worker must do next for a job, decided from its recorded state alone.
package enum JobAction: Sendable, Hashable {
    /// Fetch the code and execute it (nothing recorded yet, or a run interrupted before its result).
    case execute
    /// Publish the recorded result document (never execute again).
    case publish(resultDocument: [UInt8])
    /// Send complete_job with the recorded CID (never publish again).
    case settle(resultCID: String)
    /// Follow the journaled transaction (never send a second one while it can land).
    case resume(SubmittedTransaction, resultCID: String)
    /// Nothing: the job is done with.
    case none
}

/// An event that the job's recorded state does not allow.
package struct JobTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The state the job was in.
    package var state: JobState
    /// The event refused.
    package var event: String

    /// Describes the refusal.
    package var description: String { "a job in state \(state.rawValue) cannot record '\(event)'" }
}

extension JobRecord {
    /// The next action, from the recorded state.
    package var nextAction: JobAction {
        switch state {
        case .discovered, .running:
            return .execute
        case .executed:
            guard let resultDocument else { return .execute }
            return .publish(resultDocument: resultDocument)
        case .published:
            guard let resultCID else { return resultDocument.map { .publish(resultDocument: $0) } ?? .execute }
            return .settle(resultCID: resultCID)
        case .submitted:
            guard let resultCID else { return .execute }
            guard let submission else { return .settle(resultCID: resultCID) }
            return .resume(submission, resultCID: resultCID)
        case .settled, .lostRace, .cancelled, .failed:
            return .none
        }
    }

    /// Applies `event` at `date`, or refuses it when the recorded state does not allow it.
    package mutating func apply(_ event: JobEvent, at date: Date) throws(JobTransitionError) {
        let refuse = JobTransitionError(state: state, event: event.name)
        guard !state.isTerminal else { throw refuse }
        switch event {
        case .started:
            guard state == .discovered || state == .running else { throw refuse }
            state = .running
        case .executed(let document):
            guard state == .discovered || state == .running else { throw refuse }
            state = .executed
            resultDocument = document
            clearRetry()
        case .published(let cid):
            guard state == .executed else { throw refuse }
            state = .published
            resultCID = cid
            clearRetry()
        case .submitted(let transaction):
            guard state == .published else { throw refuse }
            state = .submitted
            submission = transaction
        case .expired:
            guard state == .submitted else { throw refuse }
            state = .published
            submission = nil
        case .settled(let signature, let slot):
            guard state == .published || state == .submitted else { throw refuse }
            if let signature, submission?.signature != signature {
                submission = SubmittedTransaction(signature: signature, lastValidBlockHeight: 0, wireBytes: [])
            }
            state = .settled
            settledSlot = slot
            clearRetry()
        case .lostRace(let reason):
            state = .lostRace
            outcomeReason = reason
            clearRetry()
        case .cancelled(let reason):
            state = .cancelled
            outcomeReason = reason
            clearRetry()
        case .failed(let reason):
            state = .failed
            outcomeReason = reason
            clearRetry()
        case .transientFailure(let message, let retryAt):
            attempts += 1
            lastError = message
            nextAttemptAt = retryAt
        }
        updatedAt = date
    }

    private mutating func clearRetry() {
        attempts = 0
        nextAttemptAt = nil
    }
}
