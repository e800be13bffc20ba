import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Journal {
    /// Below this many bytes available on the journal's file system, an I/O error is taken for a full disk.
    static let nearlyFullBytes: UInt64 = 1 << 20

    /// Names a database failure for an operator.
    ///
    /// SQLite reports a write that hits ENOSPC (or `max_page_count`) as `SQLITE_FULL`; a few other calls
    /// (`fsync`, `ftruncate`, growing the WAL index) report ENOSPC as a plain I/O error, so an I/O error on a file
    /// system with less than ``nearlyFullBytes`` available is reported as ``JournalError/Kind/diskFull`` too.
    /// `availableBytes` answers for the directory of the journal (nil when unknown).
    static func journalError(
        _ error: any Error, path: String, availableBytes: (String) -> UInt64? = Journal.availableBytes(near:)
    ) -> JournalError {
        if let error = error as? JournalError { return error }
        guard let error = error as? DatabaseError else {
            return JournalError(kind: isOutOfSpace(error) ? .diskFull : .unwritable, path: path, detail: "\(error)")
        }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_FULL: return JournalError(kind: .diskFull, path: path, detail: detail)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return JournalError(kind: .busy, path: path, detail: detail)
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: return JournalError(kind: .corrupt, path: path, detail: detail)
        case .SQLITE_IOERR, .SQLITE_CANTOPEN:
            if let available = availableBytes(path), available < nearlyFullBytes {
                return JournalError(
                    kind: .diskFull, path: path, detail: "\(detail); \(available) bytes left on its file system")
            }
            return JournalError(kind: .unwritable, path: path, detail: detail)
        default: return JournalError(kind: .unwritable, path: path, detail: detail)
        }
    }

    /// Whether a file system error is ENOSPC (or EDQUOT: a quota is as full as a disk).
    static func isOutOfSpace(_ error: any Error) -> Bool {
        if let error = error as? CocoaError, error.code == .fileWriteOutOfSpace { return true }
        if let error = error as? POSIXError, error.code == .ENOSPC || error.code == .EDQUOT { return true }
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == CocoaError.fileWriteOutOfSpace.rawValue { return true }
        if nsError.domain == NSPOSIXErrorDomain, nsError.code == Int(ENOSPC) || nsError.code == Int(EDQUOT) {
            return true
        }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? any Error { return isOutOfSpace(underlying) }
        return false
    }

    /// The bytes an unprivileged process may still write on the file system holding `path` (or its nearest
    /// existing parent directory); nil when that cannot be told.
    static func availableBytes(near path: String) -> UInt64? {
        var stats = statvfs()
        var candidate = path.isEmpty ? "." : path
        while statvfs(candidate, &stats) != 0 {
            let parent = (candidate as NSString).deletingLastPathComponent
            guard !parent.isEmpty, parent != candidate else { return nil }
            candidate = parent
        }
        return UInt64(stats.f_bavail) &* UInt64(stats.f_frsize)
    }
}
