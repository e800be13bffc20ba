/// A job counted as on its way to settlement: from the moment its preparation succeeds (it waits for an
/// execution slot, or runs) until it is queued for settlement or leaves the pipeline. While any ticket is
/// held, a settlement batch waits, up to its window, for company.
///
/// The count is given back when the last reference goes, so a job the scheduler drops while it waits for a
/// slot (withdrawn, shutdown) cannot hold batches back; ``JobPipeline/process(_:firstSeen:prepared:onPhase:)``
/// also gives it back explicitly when it returns.
package final class UpstreamTicket: Sendable, Hashable {
    /// The batcher's number for this job.
    let id: UInt64
    private let batcher: SettlementBatcher

    init(id: UInt64, batcher: SettlementBatcher) {
        self.id = id
        self.batcher = batcher
    }

    deinit {
        let (batcher, id) = (batcher, id)
        Task { await batcher.leaveUpstream(id) }
    }

    package static func == (lhs: UpstreamTicket, rhs: UpstreamTicket) -> Bool { lhs === rhs }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(self))
    }
}
