import Foundation
import Retry
import Worker

/// A ``WorkerClock`` that moves only when a test advances it: timers fire in deadline order, at once, with no
/// real waiting.
package final class ManualClock: WorkerClock, @unchecked Sendable {
    private struct Sleeper {
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [UUID: Sleeper] = [:]
    }

    private let state: Locked<State>

    /// A clock that reads `start` (by default the real time of its creation, so that the dates the pipeline
    /// takes from the system stay comparable) until advanced.
    package init(start: Date = Date()) {
        state = Locked(State(now: start))
    }

    package var now: Date { state.current.now }

    /// Timers armed and not yet fired.
    package var pendingTimers: Int { state.current.sleepers.count }

    /// The deadlines of the armed timers, earliest first.
    package var deadlines: [Date] { state.current.sleepers.values.map(\.deadline).sorted() }

    package func sleep(for duration: Duration) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: (any Error)?? = state.withLock { state in
                    if Task.isCancelled { return .some(CancellationError()) }
                    let deadline = state.now.addingTimeInterval(duration.inSeconds)
                    if deadline <= state.now { return .some(nil) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return nil
                }
                switch resumeNow {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time on by `duration` and fires every timer due by then.
    package func advance(by duration: Duration) {
        let due = state.withLock { state in
            state.now = state.now.addingTimeInterval(duration.inSeconds)
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
