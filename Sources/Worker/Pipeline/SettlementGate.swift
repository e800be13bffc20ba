import Foundation

/// Whether complete_job may be sent: paused for everyone when the worker cannot pay fees, resumed once a
/// balance probe finds it funded. Results are kept meanwhile.
package actor SettlementGate {
    /// Since when settlement is paused, nil when it is not.
    package private(set) var pausedSince: Date?

    /// Creates an open gate.
    package init() {}

    /// Whether settlement is paused.
    package var isPaused: Bool { pausedSince != nil }

    /// Pauses settlement; returns true when it was not paused before.
    @discardableResult
    package func pause(at date: Date) -> Bool {
        guard pausedSince == nil else { return false }
        pausedSince = date
        return true
    }

    /// Resumes settlement.
    package func resume() {
        pausedSince = nil
    }
}
