import DequeModule
import Foundation
import KubernetesAPI
import ServiceLifecycle
import Synchronization

/// Each server's watch cache, as kube-apiserver keeps one: one etcd watch per resource feeds every
/// storage watch of that resource on this server, with the most recent events kept for watches that
/// start a little in the past. A watch the cache cannot serve (its resource is not cached yet, or it
/// starts before the kept events) gets an etcd watch of its own, and the resource is cached from then on.
final class EtcdWatchCache: Sendable {
    private struct Subscriber {
        var namespace: String?
        /// The revision the watch started after: events up to it are not its (the cache may lag behind the list it follows).
        var after: Int64
        var continuation: AsyncThrowingStream<[StorageEvent], any Error>.Continuation
    }

    private struct Resource {
        /// Events after `since` are all in `recent` (the oldest dropped first).
        var since: Int64
        var recent: Deque<StorageEvent> = []
        var subscribers: [Int: Subscriber] = [:]
    }

    private let state = Mutex<(resources: [String: Resource], requested: Set<String>, nextID: Int)>(([:], [], 0))
    private let requests: AsyncStream<String>
    private let requestSink: AsyncStream<String>.Continuation
    private let capacity: Int
    private let subscriberBuffer: Int

    init(capacity: Int = 4096, subscriberBuffer: Int = 4096) {
        (requests, requestSink) = AsyncStream.makeStream()
        self.capacity = capacity
        self.subscriberBuffer = subscriberBuffer
    }

    /// A watch of `resource` after `revision` served from the cache, or nil (and the resource is queued for caching).
    func watch(resource: String, namespace: String?, after revision: Int64) -> StorageWatch? {
        let (stream, continuation) = AsyncThrowingStream<[StorageEvent], any Error>.makeStream(bufferingPolicy: .bufferingOldest(subscriberBuffer))
        let served: Bool = state.withLock { s in
            guard var cached = s.resources[resource], revision >= cached.since else {
                if s.requested.insert(resource).inserted { requestSink.yield(resource) }
                return false
            }
            let replay = Array(cached.recent).filter { $0.revision > revision && (namespace == nil || $0.key.namespace == namespace) }
            if !replay.isEmpty { continuation.yield(replay) }
            let id = s.nextID
            s.nextID += 1
            cached.subscribers[id] = Subscriber(namespace: namespace, after: revision, continuation: continuation)
            s.resources[resource] = cached
            continuation.onTermination = { [weak self] _ in self?.unsubscribe(resource, id) }
            return true
        }
        return served ? StorageWatch(batches: stream) : nil
    }

    private func unsubscribe(_ resource: String, _ id: Int) {
        state.withLock { _ = $0.resources[resource]?.subscribers.removeValue(forKey: id) }
    }

    /// Hands a batch from the resource's etcd watch to its subscribers; a subscriber whose buffer is full
    /// is ended with `.expired` (it must relist), as a slow watcher is.
    private func publish(_ resource: String, _ batch: [StorageEvent]) {
        // Ended outside the lock: ending a stream calls its termination handler, which takes the lock.
        let behind = state.withLock { s -> [(AsyncThrowingStream<[StorageEvent], any Error>.Continuation, Int64)] in
            guard var cached = s.resources[resource] else { return [] }
            var behind: [(AsyncThrowingStream<[StorageEvent], any Error>.Continuation, Int64)] = []
            for event in batch {
                cached.recent.append(event)
                if cached.recent.count > capacity, let dropped = cached.recent.popFirst() { cached.since = dropped.revision }
            }
            for (id, subscriber) in cached.subscribers {
                let events = batch.filter { $0.revision > subscriber.after && (subscriber.namespace == nil || $0.key.namespace == subscriber.namespace) }
                guard !events.isEmpty else { continue }
                if case .dropped = subscriber.continuation.yield(events) {
                    behind.append((subscriber.continuation, events[0].revision))
                    cached.subscribers[id] = nil
                }
            }
            s.resources[resource] = cached
            return behind
        }
        for (continuation, revision) in behind {
            continuation.finish(throwing: StorageError(.expired(oldest: revision), message: "the watcher fell behind"))
        }
    }

    /// Ends the resource's subscribers (they resume elsewhere) and forgets it.
    private func drop(_ resource: String, error: any Error) {
        let subscribers = state.withLock { s in
            s.requested.remove(resource)
            return s.resources.removeValue(forKey: resource)?.subscribers.values.map(\.continuation) ?? []
        }
        for continuation in subscribers { continuation.finish(throwing: error) }
    }

    /// Runs one etcd watch per requested resource until graceful shutdown.
    func run(store: EtcdObjectStore) async {
        await withDiscardingTaskGroup { group in
            for await resource in requests.cancelOnGracefulShutdown() {
                group.addTask { await self.follow(resource, store: store) }
            }
            group.cancelAll()
        }
        requestSink.finish()
    }

    private func follow(_ resource: String, store: EtcdObjectStore) async {
        do {
            let start = try await store.currentRevision()
            state.withLock { $0.resources[resource] = Resource(since: start) }
            let feed = EtcdWatchFeed(store: store, prefix: store.rangePrefix(resource: resource, namespace: nil), after: start)
            while let batch = try await feed.next() { publish(resource, batch) }
            drop(resource, error: CancellationError())
        } catch {
            drop(resource, error: error is CancellationError ? StorageError(.internalError, message: "the server is shutting down") : error)
        }
    }
}

/// Runs a store's watch cache beside the API server.
struct EtcdWatchCacheService: Service {
    let cache: EtcdWatchCache
    let store: EtcdObjectStore

    func run() async throws {
        await cache.run(store: store)
    }
}
