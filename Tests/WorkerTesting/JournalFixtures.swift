import Foundation
import Solana
import Worker

/// Journal rows in any state, for the journal's tests.
package enum JournalFixtures {
    package static let transaction = SubmittedTransaction(
        signature: (try? Signature(bytes: [UInt8](repeating: 4, count: 64))) ?? .placeholder,
        lastValidBlockHeight: 12_345, wireBytes: [9, 8, 7])

    /// The instants and the result document of the retention tests: jobs finished `old` (before `cutoff`) or
    /// `recent`, pruned at `now`.
    package struct RetentionTimes: Sendable {
        package let old = Date(timeIntervalSince1970: 1_000)
        package let recent = Date(timeIntervalSince1970: 9_000)
        package let cutoff = Date(timeIntervalSince1970: 5_000)
        package let now = Date(timeIntervalSince1970: 10_000)
        package let document = Array(String(repeating: "result ", count: 2_000).utf8)

        package init() {}
    }

    /// A job with an address made from `index` (any of 65,536).
    package static func job(_ index: Int) -> PendingJob {
        // swift-format-ignore
        let address = (try? PublicKey(bytes: [UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF)] + [UInt8](repeating: 3, count: 30))) ?? .systemProgram
        return PendingJob(
            address: address, owner: TestJobs.key(200), title: "job-\(index)", codeCID: "QmCode\(index)",
            startTime: Int64(index), slot: 10)
    }

    /// The events that take a new job to `state`, executing it with `document` on the way when it is given.
    package static func events(to state: JobState, document: [UInt8]?) -> [JobEvent] {
        let executed: [JobEvent] = document.map { [.started, .executed(resultDocument: $0)] } ?? []
        switch state {
        case .discovered: return []
        case .running: return [.started]
        case .executed: return executed
        case .published: return executed + [.published(resultCID: "QmResult")]
        case .submitted: return executed + [.published(resultCID: "QmResult"), .submitted(transaction)]
        case .settled:
            return executed + [
                .published(resultCID: "QmResult"), .submitted(transaction),
                .settled(signature: transaction.signature, slot: 77),
            ]
        case .lostRace: return executed + [.lostRace(reason: "another worker completed it")]
        case .cancelled: return executed + [.cancelled(reason: "cancelled by its owner")]
        case .failed: return executed + [.failed(reason: "rejected")]
        }
    }

    /// A record of `job` in `state`, every event at `date` (not journaled).
    package static func record(_ job: PendingJob, _ state: JobState, document: [UInt8]? = [1, 2, 3], at date: Date)
        throws
        -> JobRecord
    {
        var record = JobRecord(discovered: job, at: date)
        for event in events(to: state, document: document) { try record.apply(event, at: date) }
        return record
    }

    /// Journals `job` in `state` through the journal's own API (with its transitions), every event at `date`.
    @discardableResult
    package static func drive(
        _ journal: Journal, _ job: PendingJob, to state: JobState, document: [UInt8]? = [1, 2, 3], at date: Date
    ) async throws -> JobRecord {
        var record = try await journal.begin(job, at: date)
        for event in events(to: state, document: document) {
            record = try await journal.apply(event, to: job.address, at: date)
        }
        return record
    }

    /// Inserts rows in one transaction, without transitions: many rows, fast.
    package static func insert(_ records: [JobRecord], into journal: Journal) async throws {
        try await journal.write { db in
            for record in records { try Journal.insert(record, in: db) }
        }
    }
}
