import Foundation

/// Where the run loop's time comes from: the current wall-clock instant (job start times and the backoff
/// deadlines in the journal are wall-clock dates) and its timers. Tests inject a manual clock.
package protocol WorkerClock: Sendable {
    /// The current instant.
    var now: Date { get }
    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled first.
    func sleep(for duration: Duration) async throws
}

/// The system's wall clock, with timers on the monotonic clock.
package struct SystemWorkerClock: WorkerClock {
    /// Creates the clock.
    package init() {}

    /// `Date()`.
    package var now: Date { Date() }

    /// Sleeps on `ContinuousClock`.
    package func sleep(for duration: Duration) async throws {
        try await ContinuousClock().sleep(for: duration)
    }
}
