import Foundation

/// What `/healthz` reports.
package struct HealthReport: Sendable, Hashable {
    /// Whether the journal accepted a write just now.
    package var journalWritable: Bool
    /// Seconds since the last successful poll; nil before the first.
    package var lastPollAgeSeconds: Double?
    /// Whether settlement is paused for lack of funds.
    package var settlementPaused: Bool
    /// The oldest acceptable poll age, in seconds.
    package var maxPollAgeSeconds: Double

    /// Healthy when the journal is writable, a poll succeeded recently and settlement is not paused.
    package var isHealthy: Bool {
        journalWritable && !settlementPaused && (lastPollAgeSeconds.map { $0 <= maxPollAgeSeconds } ?? false)
    }

    /// The JSON body: `{"status": "ok"|"unhealthy", "journal_writable": …, "last_poll_age_seconds": …,
    /// "settlement_paused": …}`.
    package var json: OrderedJSON {
        .object([
            ("status", .string(isHealthy ? "ok" : "unhealthy")),
            ("journal_writable", .bool(journalWritable)),
            ("last_poll_age_seconds", lastPollAgeSeconds.map { .integer(Int64($0.rounded(.down))) } ?? .null),
            ("settlement_paused", .bool(settlementPaused)),
        ])
    }
}

/// The live facts behind `/healthz`, updated by the run loop.
package actor HealthState {
    private let journal: Journal
    private let gate: SettlementGate
    private let maxPollAge: Double
    private var lastPoll: Date?

    /// Creates the state; a poll older than `maxPollAge` seconds makes the worker unhealthy.
    package init(journal: Journal, gate: SettlementGate, maxPollAge: Double) {
        self.journal = journal
        self.gate = gate
        self.maxPollAge = maxPollAge
    }

    /// A poll succeeded at `date`.
    package func pollSucceeded(at date: Date) {
        lastPoll = date
    }

    /// The report now.
    package func report(now: Date = Date()) async -> HealthReport {
        HealthReport(
            journalWritable: await journal.isWritable(),
            lastPollAgeSeconds: lastPoll.map { max(0, now.timeIntervalSince($0)) },
            settlementPaused: await gate.isPaused,
            maxPollAgeSeconds: maxPollAge)
    }
}
