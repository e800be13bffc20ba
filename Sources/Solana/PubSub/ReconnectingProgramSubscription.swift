import Logging
import Retry

/// What a self-reconnecting program subscription reports.
public enum ProgramSubscriptionEvent: Sendable, Hashable {
    /// The subscription is (again) in place. Changes made while it was down were not seen: re-poll now.
    case subscribed
    /// An account of the program changed.
    case notification(ProgramNotification)
    /// The connection failed or dropped; the next attempt comes after `retryIn`.
    case disconnected(SolanaPubSubError, retryIn: Duration)
}

extension SolanaPubSubClient {
    /// A `programSubscribe` that survives connection loss: it connects, subscribes, forwards notifications,
    /// and after a failure waits (capped exponential backoff from `backoff`, reset after each successful
    /// subscription) and starts over. The sequence runs until the consuming task stops iterating.
    public static func reconnectingProgramSubscription(
        configuration: Configuration,
        program: PublicKey,
        filters: [AccountFilter] = [],
        commitment: Commitment = .confirmed,
        backoff: Backoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30), jitter: 0.2),
        logger: Logger = Logger(label: "solana.pubsub")
    ) -> AsyncStream<ProgramSubscriptionEvent> {
        AsyncStream { continuation in
            let task = Task {
                var failures = 0
                while !Task.isCancelled {
                    let failure: SolanaPubSubError
                    do throws(SolanaPubSubError) {
                        let client = try SolanaPubSubClient(configuration: configuration, logger: logger)
                        failure = await client.forward(
                            program: program, filters: filters, commitment: commitment, to: continuation,
                            onSubscribed: { failures = 0 })
                        await client.close()
                    } catch {
                        failure = error
                    }
                    guard !Task.isCancelled, failure.isTransient else {
                        if !Task.isCancelled { logger.error("giving up the program subscription: \(failure)") }
                        break
                    }
                    failures += 1
                    let wait = backoff.delay(afterAttempt: failures)
                    continuation.yield(.disconnected(failure, retryIn: wait))
                    try? await Task.sleep(for: wait)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Connects, subscribes and forwards notifications until the connection ends; returns why it ended.
    private func forward(
        program: PublicKey, filters: [AccountFilter], commitment: Commitment,
        to continuation: AsyncStream<ProgramSubscriptionEvent>.Continuation, onSubscribed: () -> Void
    ) async -> SolanaPubSubError {
        do {
            try await connect()
            let subscription = try await programSubscribe(program, filters: filters, commitment: commitment)
            onSubscribed()
            continuation.yield(.subscribed)
            for try await notification in subscription {
                continuation.yield(.notification(notification))
            }
            return .connectionClosed(url: displayURL, reason: "the subscription ended")
        } catch let error as SolanaPubSubError {
            return error
        } catch {
            return .connectionClosed(url: displayURL, reason: "\(error)")
        }
    }
}
