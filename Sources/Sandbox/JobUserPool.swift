import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Hands out the unprivileged user ids that jobs run as when the worker is root: one id per running job,
/// so that `RLIMIT_NPROC` counts each job's processes alone and killing "everything owned by the job's
/// user" touches nothing else. Ids are reserved within this process and, with `flock` on
/// `/run/cloudmesh-sandbox/uid-<n>.lock`, against other worker processes on the same host.
final class JobUserPool: Sendable {
    /// One reserved id; give it back with ``JobUserPool/release(_:)``.
    struct Lease: Sendable {
        /// The user (and group) id.
        let uid: UInt32
        fileprivate let lockDescriptor: Int32
    }

    /// The pool shared by every runner of this process.
    static let shared = JobUserPool(lockDirectory: "/run/cloudmesh-sandbox")

    private let inUse = Mutex<Set<UInt32>>([])
    /// Where the next search starts, as an offset into the range: ids are handed out in turn, so that an id
    /// is not reused while the kernel is still tearing down its last job's processes (they would count
    /// against the next job's RLIMIT_NPROC and fail its first fork with EAGAIN).
    private let cursor = Mutex<UInt32>(0)
    private let lockDirectory: String

    init(lockDirectory: String) {
        self.lockDirectory = lockDirectory
    }

    /// Reserves a free id of `range`: the next free one after the id leased last, in turn.
    func lease(from range: Range<UInt32>) throws(SandboxError) -> Lease {
        if mkdir(lockDirectory, 0o700) != 0 && errno != EEXIST {
            throw .systemCallFailed(operation: "creating \(lockDirectory)", errno: errno)
        }
        let count = UInt32(range.count)
        guard count > 0 else { throw .noFreeJobUser(range) }
        let start = cursor.withLock { $0 } % count
        for step in 0..<count {
            let uid = range.lowerBound + (start + step) % count
            let reserved = inUse.withLock { ids in ids.insert(uid).inserted }
            guard reserved else { continue }
            let fd = open("\(lockDirectory)/uid-\(uid).lock", O_RDWR | O_CREAT | LinuxCalls.oCloexec, 0o600)
            if fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0 {
                cursor.withLock { $0 = (start + step + 1) % count }
                return Lease(uid: uid, lockDescriptor: fd)
            }
            if fd >= 0 { close(fd) }
            _ = inUse.withLock { ids in ids.remove(uid) }
        }
        throw .noFreeJobUser(range)
    }

    /// Gives an id back once none of its processes is left.
    func release(_ lease: Lease) {
        close(lease.lockDescriptor)
        _ = inUse.withLock { ids in ids.remove(lease.uid) }
    }
}
