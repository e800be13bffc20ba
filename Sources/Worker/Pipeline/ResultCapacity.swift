/// The on-chain room for a result CID: the Job account's 300 bytes hold the three strings only when
/// `|title| + |code_cid| + |result_cid| ≤ 228` bytes, and the program accepts CIDs of 1…100 bytes.
package enum ResultCapacity {
    /// The byte budget shared by title, code CID and result CID.
    package static let sharedBudget = 228
    /// The longest result CID complete_job accepts.
    package static let maxCIDBytes = 100

    /// Nil when `resultCID` fits next to `job`'s title and code CID; otherwise why it does not.
    package static func problem(resultCID: String, job: PendingJob) -> String? {
        let cidBytes = resultCID.utf8.count
        guard (1...maxCIDBytes).contains(cidBytes) else {
            return "the result CID is \(cidBytes) bytes; complete_job accepts 1 to \(maxCIDBytes)"
        }
        let used = job.title.utf8.count + job.codeCID.utf8.count + cidBytes
        guard used <= sharedBudget else {
            return "the result CID \(resultCID) (\(cidBytes) bytes) does not fit: title \(job.title.utf8.count) + "
                + "code CID \(job.codeCID.utf8.count) + result CID \(cidBytes) = \(used) bytes > \(sharedBudget)"
                + " (the account would not serialize, error 3004), even in the shortest CID form"
        }
        return nil
    }
}
