import Foundation
import Synchronization

/// A cancellation flag for work that runs outside Swift's tasks (where `Task.isCancelled` is always false).
public final class VerificationCancellation: Sendable {
    private let cancelled = Atomic<Bool>(false)

    /// A flag that is not set.
    public init() {}

    /// Whether the work should stop.
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Asks the work to stop at its next check.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }
}

/// Runs CPU-bound verification on a thread of its own, off Swift's cooperative pool.
///
/// The pool has one thread per core: a DAG walk that takes a core for a second there delays every other task
/// of the process (polls, settlements, the run loop itself) for that second. On a thread of its own it only
/// takes its share of the CPU. Cancelling the awaiting task sets the ``VerificationCancellation`` the body
/// checks at every block; the thread ends at the body's next check. Threads are bounded by the callers' own
/// concurrency (one per fetch in flight).
enum VerificationThread {
    /// Stack size of a verification thread: the DAG walk recurses once per level (at most 256 levels).
    static let stackSize = 16 << 20

    /// The result of `body`, computed on a new thread.
    static func run<T: Sendable>(
        _ body: @escaping @Sendable (VerificationCancellation) throws(VerificationError) -> T
    ) async throws(VerificationError) -> T {
        let cancellation = VerificationCancellation()
        let result: Result<T, VerificationError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    do throws(VerificationError) {
                        continuation.resume(returning: .success(try body(cancellation)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
                thread.name = "cloudmesh-verify"
                thread.stackSize = stackSize
                thread.start()
            }
        } onCancel: {
            cancellation.cancel()
        }
        return try result.get()
    }
}
