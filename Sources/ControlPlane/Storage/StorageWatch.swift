/// A stream of storage events for one watcher, in revision order. It ends by throwing `StorageError`
/// (`.expired`) or when cancelled.
///
/// Iterate it event by event, or take `batches`: every event that is ready at once (a replayed page
/// of history, or everything that arrived while the consumer was busy) in one array, so a consumer
/// that writes to a network connection can send them together instead of one write per event.
public struct StorageWatch: AsyncSequence, Sendable {
    /// The element type.
    public typealias Element = StorageEvent

    /// The events, grouped as they became available; never an empty group.
    public let batches: AsyncThrowingStream<[StorageEvent], any Error>

    /// Wraps a stream of single events produced by a store (each becomes a group of one).
    public init(_ stream: AsyncThrowingStream<StorageEvent, any Error>) {
        let events = SingleEventSource(stream)
        batches = AsyncThrowingStream(unfolding: { try await events.next().map { [$0] } })
    }

    /// Wraps a stream of event groups produced by a store.
    public init(batches: AsyncThrowingStream<[StorageEvent], any Error>) {
        self.batches = batches
    }

    /// The iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(batches: batches.makeAsyncIterator())
    }

    /// Hands out the events of each group one by one.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var batches: AsyncThrowingStream<[StorageEvent], any Error>.AsyncIterator
        var pending: ArraySlice<StorageEvent> = []

        /// The next event, or nil once the watch ended.
        public mutating func next() async throws -> StorageEvent? {
            while pending.isEmpty {
                guard let batch = try await batches.next() else { return nil }
                pending = batch[...]
            }
            return pending.popFirst()
        }
    }
}

/// The iterator of a single-event stream, pulled by an unfolding stream.
///
/// `@unchecked Sendable`: an unfolding `AsyncThrowingStream` calls its closure once at a time, never
/// concurrently, so the iterator is only ever used by one task at a time.
private final class SingleEventSource: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<StorageEvent, any Error>.AsyncIterator

    init(_ stream: AsyncThrowingStream<StorageEvent, any Error>) { iterator = stream.makeAsyncIterator() }

    func next() async throws -> StorageEvent? { try await iterator.next() }
}
