import Synchronization

/// Runs an operation under a deadline that holds even when the operation does not react to cancellation
/// (a hung socket, a library that retries on its own, CPU-bound work between cancellation checks).
///
/// The operation runs in a task of its own. The caller resumes with the first of: the operation's result,
/// the deadline (`timeoutError()` is thrown), or the caller's own cancellation (`CancellationError`). The
/// operation's task is then cancelled and left to wind down by itself; nothing waits for it.
enum Deadline {
    /// The result of `operation`, unless `limit` passes first.
    static func run<T: Sendable>(
        within limit: Duration, timeoutError: @escaping @Sendable () -> any Error,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let outcome = FirstOutcome<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let work = Task {
                    do {
                        outcome.resolve(.success(try await operation()))
                    } catch {
                        outcome.resolve(.failure(error))
                    }
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    if !Task.isCancelled { outcome.resolve(.failure(timeoutError())) }
                }
                outcome.wait(continuation) {
                    work.cancel()
                    timer.cancel()
                }
            }
        } onCancel: {
            outcome.resolve(.failure(CancellationError()))
        }
    }
}

/// The first of several outcomes, handed to a continuation exactly once, whichever arrives first.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var continuation: CheckedContinuation<T, any Error>?
        var cleanup: (@Sendable () -> Void)?
        var done = false
    }

    private let state = Mutex(State())

    /// Records `result` unless an outcome was recorded already.
    func resolve(_ result: Result<T, any Error>) {
        let ready = state.withLock { state -> (CheckedContinuation<T, any Error>, (@Sendable () -> Void)?)? in
            guard !state.done, state.result == nil else { return nil }
            state.result = result
            guard let continuation = state.continuation else { return nil }
            state.done = true
            return (continuation, state.cleanup)
        }
        guard let (continuation, cleanup) = ready else { return }
        cleanup?()
        continuation.resume(with: result)
    }

    /// Hands the outcome to `continuation` as soon as there is one; `cleanup` runs once it is handed over.
    func wait(_ continuation: CheckedContinuation<T, any Error>, cleanup: @escaping @Sendable () -> Void) {
        let ready = state.withLock { state -> Result<T, any Error>? in
            state.continuation = continuation
            state.cleanup = cleanup
            guard let result = state.result, !state.done else { return nil }
            state.done = true
            return result
        }
        guard let ready else { return }
        cleanup()
        continuation.resume(with: ready)
    }
}
