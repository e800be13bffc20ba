import Foundation
import Solana

/// Reads one job's record from a worker's journal without creating a journal where there is none.
public enum JournalPeek {
    /// The record and transitions of `address` in the journal under `stateDirectory`; nil when that directory
    /// has no journal or the journal has no row for the job.
    public static func record(for address: PublicKey, stateDirectory: String)
        async throws(JournalError)
        -> (record: JobRecord, transitions: [JobTransition])?
    {
        let path = (stateDirectory as NSString).appendingPathComponent(Journal.fileName)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let journal = try Journal(directory: stateDirectory)
        defer { try? journal.close() }
        guard let record = try await journal.record(for: address) else { return nil }
        return (record, try await journal.transitions(for: address))
    }
}
