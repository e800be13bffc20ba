import Logging
import ServiceLifecycle
import UnixSignals

/// Stops the worker at once when SIGINT or SIGTERM arrives a second time: the first one is the group's
/// graceful shutdown (running jobs get `SHUTDOWN_GRACE`); the second throws ``Received``, which cancels the
/// group. Unfinished jobs resume from the journal next start.
///
/// It is the group's first service, so a graceful shutdown reaches it last: it keeps listening while the
/// worker drains, and returns once everything else has stopped.
struct SecondSignal: Service {
    /// A second shutdown signal arrived.
    struct Received: Error, CustomStringConvertible {
        /// The signal.
        var signal: UnixSignal

        var description: String {
            "second signal (\(signal)): stopped at once; unfinished jobs resume from the journal next start"
        }
    }

    let logger: Logger

    func run() async throws {
        var seen = 0
        for await signal in await UnixSignalsSequence(trapping: .sigint, .sigterm).cancelOnGracefulShutdown() {
            seen += 1
            guard seen >= 2 else {
                logger.notice(
                    "signal received: finishing running jobs within SHUTDOWN_GRACE, then stopping (send it again to stop at once)",
                    metadata: ["signal": "\(signal)"])
                continue
            }
            logger.warning(
                "second signal: stopping now; unfinished jobs resume from the journal next start",
                metadata: ["signal": "\(signal)"])
            throw Received(signal: signal)
        }
    }
}
