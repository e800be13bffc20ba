import Dispatch
import Foundation

/// Turns SIGINT and SIGTERM into calls of a closure (e.g. ``WorkerService/shutdown()``), through dispatch
/// sources rather than async-signal-unsafe handlers. Keep the value alive as long as the handling is needed.
public final class SignalHandlers {
    private let sources: [any DispatchSourceSignal]

    /// Installs handlers for `signals`; `handler` receives the signal number and how many signals arrived so
    /// far (a second SIGINT can mean "stop now").
    public init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32, Int) -> Void) {
        let counter = SignalCounter()
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number, counter.increment()) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}

/// A thread-safe count of signals received.
private final class SignalCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        return count
    }
}
