import Retry

/// How settlement groups jobs into complete_job transactions.
public struct SettlementBatching: Sendable, Hashable {
    /// The most jobs a transaction may settle when they fit; more never fit in 1,232 bytes.
    public static let packetLimit = 64

    /// The most jobs one transaction settles (`SETTLE_BATCH_SIZE`, at least 1); fewer when their
    /// instructions do not fit in one packet.
    public var maxJobs: Int
    /// How long the first job of a batch waits for others to join (`SETTLE_BATCH_WINDOW_MS`), while other jobs
    /// are on their way to settlement; zero sends at once, whatever else is due.
    public var window: Duration

    /// Creates the settings; `maxJobs` is clamped to 1...``packetLimit`` and a negative window to zero.
    public init(maxJobs: Int = SettlementBatching.packetLimit, window: Duration = .milliseconds(400)) {
        self.maxJobs = min(max(1, maxJobs), Self.packetLimit)
        self.window = max(.zero, window)
    }

    /// ``window`` in whole milliseconds.
    public var windowMilliseconds: Int {
        Int(window.inMilliseconds())
    }

    /// One job per transaction, sent at once (the seed's behaviour).
    public static let single = SettlementBatching(maxJobs: 1, window: .zero)
}
