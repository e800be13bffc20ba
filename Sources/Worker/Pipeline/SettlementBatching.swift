import Retry

/// How settlement groups jobs into complete_job transactions.
package struct SettlementBatching: Sendable, Hashable {
    /// The most jobs a transaction may settle when they fit; more never fit in 1,232 bytes.
    package static let packetLimit = 64

    /// The most jobs one transaction settles (`SETTLE_BATCH_SIZE`, at least 1); fewer when their
    /// instructions do not fit in one packet.
    package var maxJobs: Int
    /// How long the first job of a batch waits for others to join (`SETTLE_BATCH_WINDOW_MS`), while other jobs
    /// are on their way to settlement; zero sends at once, whatever else is due.
    package var window: Duration

    /// Creates the settings; `maxJobs` is clamped to 1...``packetLimit`` and a negative window to zero.
    package init(maxJobs: Int = SettlementBatching.packetLimit, window: Duration = .milliseconds(400)) {
        self.maxJobs = min(max(1, maxJobs), Self.packetLimit)
        self.window = max(.zero, window)
    }

    /// ``window`` in whole milliseconds.
    package var windowMilliseconds: Int {
        Int(window.inMilliseconds())
    }

    /// One job per transaction, sent at once (the seed's behaviour).
    package static let single = SettlementBatching(maxJobs: 1, window: .zero)
}
