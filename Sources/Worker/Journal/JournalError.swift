/// The journal cannot be used. The worker stops taking jobs when it sees one: without a journal it cannot
/// promise not to run or pay for a job twice.
public struct JournalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of trouble.
    package enum Kind: Sendable, Hashable {
        /// The disk is full (SQLITE_FULL).
        case diskFull
        /// The database file or directory cannot be opened or written (permissions, read-only, I/O error).
        case unwritable
        /// Another process holds the database locked past the busy timeout.
        case busy
        /// A row breaks the journal's rules (hand-edited or corrupted file).
        case corrupt
        /// The event is not allowed in the job's recorded state (a bug in the caller).
        case invalidTransition
    }

    /// What kind of trouble.
    package var kind: Kind
    /// The journal's path.
    package var path: String
    /// Details.
    package var detail: String

    /// Creates the error.
    package init(kind: Kind, path: String, detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    /// Explains the trouble and what to do.
    public var description: String {
        switch kind {
        case .diskFull:
            "the journal \(path) cannot be written: the disk is full (\(detail)). Free space; recorded results are kept."
        case .unwritable:
            "the journal \(path) cannot be opened or written (\(detail)). Check STATE_DIR's permissions and disk."
        case .busy:
            "the journal \(path) is locked by another process (\(detail)). Run one worker per STATE_DIR."
        case .corrupt:
            "the journal \(path) holds an invalid row (\(detail))."
        case .invalidTransition:
            "the journal \(path) refused a transition: \(detail)"
        }
    }
}
