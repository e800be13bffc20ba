import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The lock a running worker holds on its state directory (`STATE_DIR/worker.lock`, taken by the worker's
/// `StateDirectoryLock` for as long as it runs), taken by a command that must not act beside a worker. While a
/// command holds it, a worker starting on the same directory refuses to start, as beside another worker.
final class WorkerLockProbe {
    /// The lock file's name inside the state directory (the worker's).
    static let fileName = "worker.lock"

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock of `stateDirectory` without waiting: nil when a worker (or another command) holds it.
    /// The directory must exist; the lock file is created if missing, as the worker creates it.
    static func take(stateDirectory: String) throws -> WorkerLockProbe? {
        let path = (stateDirectory as NSString).appendingPathComponent(fileName)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CLIError(
                .failure, "cannot open \(path) (\(String(cString: strerror(errno))))",
                fix: "run the command as the user the worker runs as")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return WorkerLockProbe(descriptor: descriptor)
    }

    /// Gives the lock back.
    deinit {
        close(descriptor)
    }
}
