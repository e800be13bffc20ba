/// The notifications of one PubSub subscription, as an async sequence.
///
/// The sequence ends with a `SolanaPubSubError.connectionClosed` error when the connection drops, and ends
/// normally after `unsubscribe()` or the client's `close()`. Abandoning the iteration (cancelling the task)
/// unsubscribes.
public struct PubSubSubscription<Element: Sendable>: AsyncSequence, Sendable {
    /// The iterator type.
    public typealias AsyncIterator = AsyncThrowingStream<Element, any Error>.Iterator

    /// The node's subscription id.
    public let id: UInt64
    private let stream: AsyncThrowingStream<Element, any Error>
    private let client: SolanaPubSubClient

    init(id: UInt64, stream: AsyncThrowingStream<Element, any Error>, client: SolanaPubSubClient) {
        self.id = id
        self.stream = stream
        self.client = client
    }

    /// Creates the iterator.
    public func makeAsyncIterator() -> AsyncIterator { stream.makeAsyncIterator() }

    /// Ends the subscription on the node and finishes the sequence.
    public func unsubscribe() async throws(SolanaPubSubError) {
        try await client.unsubscribe(subscriptionID: id)
    }
}
