import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive lock on `STATE_DIR/worker.lock`, held while the worker runs: two workers sharing one journal
/// could run or pay for a job twice. The kernel releases it when the process ends, however it ends.
final class StateDirectoryLock: Sendable {
    private let descriptor: Int32

    /// Creates the directory if needed and takes the lock; fails when another worker holds it.
    init(directory: String) throws(WorkerRuntimeError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw WorkerRuntimeError(
                .configuration,
                [
                    "STATE_DIR=\"\(directory)\" cannot be created (\(error.localizedDescription)). "
                        + "Set STATE_DIR to a writable directory."
                ])
        }
        let path = (directory as NSString).appendingPathComponent("worker.lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw WorkerRuntimeError(
                .configuration,
                [
                    "STATE_DIR=\"\(directory)\": \(path) cannot be opened (\(String(cString: strerror(errno)))). "
                        + "Set STATE_DIR to a writable directory."
                ])
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw WorkerRuntimeError(
                .runtime,
                [
                    "another worker is running with STATE_DIR=\"\(directory)\"; give each worker its own STATE_DIR."
                ])
        }
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }
}
