import DequeModule
import GRDB
import KubernetesAPI
import Synchronization

/// One watcher's consumer side: history replay from the `events` table, then the hub's live buffer.
///
/// The seam has no gap and no duplicate: the hub registers the watcher and reports the published
/// revision `P` in one critical section, so every event after `P` lands in the live buffer, and every
/// event up to `P` is committed and therefore visible to the replay's read transaction.
/// Replay pages are read lazily as the consumer pulls, so a long replay costs no memory up front.
/// Dropping the watcher (its stream) deregisters it from the hub.
final class HistoryReplayWatcher: Sendable {
    private struct Replay {
        var cursor: Int64
        var through: Int64
        var page: Deque<StorageEvent> = []
    }

    private let id: UInt64
    private let hub: WatchHub
    private let reader: DatabasePool
    private let resource: String
    private let namespace: String?
    private let pageSize: Int
    private let replay: Mutex<Replay>

    init(
        id: UInt64, hub: WatchHub, reader: DatabasePool, resource: String, namespace: String?,
        after: Int64, replayThrough: Int64, pageSize: Int
    ) {
        self.id = id
        self.hub = hub
        self.reader = reader
        self.resource = resource
        self.namespace = namespace
        self.pageSize = max(pageSize, 1)
        self.replay = Mutex(Replay(cursor: after, through: replayThrough))
    }

    deinit { hub.remove(id) }

    /// The stream handed to the consumer; it owns this watcher.
    func stream() -> StorageWatch {
        StorageWatch(batches: AsyncThrowingStream(unfolding: { try await self.nextBatch() }))
    }

    /// The next events, all that are ready (at least one): replayed history first, then live events.
    func nextBatch() async throws -> [StorageEvent]? {
        do {
            switch try await nextReplayed() {
            case .events(let events):
                return events
            case .complete:
                return try await hub.nextBatch(id)
            case .interrupted:
                // Live events buffered beyond an unfinished replay would leave a gap: drop them.
                if let failure = hub.discard(id) { throw failure }
                return nil
            }
        } catch let error as StorageError {
            hub.remove(id)
            throw error
        } catch {
            hub.remove(id)
            throw StorageError(.internalError, message: "reading watch history failed: \(error)")
        }
    }

    private enum ReplayStep {
        /// The rest of the current history page.
        case events([StorageEvent])
        /// Every history event up to the registration revision has been delivered.
        case complete
        /// The watch was cancelled, closed or failed before the replay finished.
        case interrupted
    }

    private func nextReplayed() async throws -> ReplayStep {
        while true {
            let (ready, fetchAfter, fetchThrough) = replay.withLock { replay -> ([StorageEvent], Int64, Int64) in
                if !replay.page.isEmpty {
                    defer { replay.page.removeAll() }
                    return (Array(replay.page), 0, 0)
                }
                return ([], replay.cursor, replay.through)
            }
            if !ready.isEmpty { return .events(ready) }
            if fetchAfter >= fetchThrough { return .complete }
            if Task.isCancelled || !hub.isLive(id) { return .interrupted }
            let (resource, namespace, limit) = (self.resource, self.namespace, self.pageSize)
            let events = try await reader.read { db in
                try StorageHistory.events(
                    db, resource: resource, namespace: namespace, after: fetchAfter, through: fetchThrough, limit: limit)
            }
            replay.withLock { replay in
                replay.page.append(contentsOf: events)
                replay.cursor = events.count < limit ? fetchThrough : (events.last?.revision ?? fetchThrough)
            }
        }
    }
}
