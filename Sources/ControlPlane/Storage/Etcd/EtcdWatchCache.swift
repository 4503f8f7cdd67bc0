import DequeModule
import Foundation
import KubernetesAPI
import ServiceLifecycle
import Synchronization

/// Each server's watch cache, as kube-apiserver keeps one: one etcd watch per resource feeds every
/// storage watch of that resource on this server, with the most recent events kept for watches that
/// start a little in the past. The first watch of a resource starts its cache at the revision it asked
/// for, so the watches that follow it (informers list, then watch, all at about the same revision)
/// share that one etcd watch instead of decoding every event once each. Only a watch that starts
/// before the kept events gets an etcd watch of its own.
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

    private let state = Mutex<(resources: [String: Resource], requested: Set<String>, nextID: Int, running: Bool)>(([:], [], 0, false))
    private let requests: AsyncStream<String>
    private let requestSink: AsyncStream<String>.Continuation
    private let capacity: Int
    private let subscriberBuffer: Int

    init(capacity: Int = 4096, subscriberBuffer: Int = 4096) {
        (requests, requestSink) = AsyncStream.makeStream()
        self.capacity = capacity
        self.subscriberBuffer = subscriberBuffer
    }

    /// The watches the cache serves now, over all resources.
    var subscriberCount: Int { state.withLock { $0.resources.values.reduce(0) { $0 + $1.subscribers.count } } }

    /// The revision of the last event the cache handed over for `resource`, or nil when it does not
    /// follow it: how far it has read the resource's etcd watch.
    func publishedRevision(_ resource: String) -> Int64? {
        state.withLock { s in s.resources[resource].map { $0.recent.last?.revision ?? $0.since } }
    }

    /// True while the cache's service runs (and can start following resources).
    var isRunning: Bool { state.withLock { $0.running } }

    /// A watch of `resource` after `revision` served from the cache, or nil. With `starting`, a resource
    /// not cached yet is cached from `revision` on (its history after `revision` must still be in etcd),
    /// and the watch is its first subscriber; that needs the cache to run (a store used without its
    /// background services serves every watch from etcd).
    func watch(resource: String, namespace: String?, after revision: Int64, starting: Bool = false) -> StorageWatch? {
        let (stream, continuation) = AsyncThrowingStream<[StorageEvent], any Error>.makeStream(bufferingPolicy: .bufferingOldest(subscriberBuffer))
        let served: Bool = state.withLock { s in
            if starting, s.running, s.resources[resource] == nil, s.requested.insert(resource).inserted {
                s.resources[resource] = Resource(since: revision)
                requestSink.yield(resource)
            }
            guard var cached = s.resources[resource], revision >= cached.since else { return false }
            let replay = Array(cached.recent).filter { $0.revision > revision && (namespace == nil || $0.key.namespace == namespace) }
            // Yielded under the lock, before any batch published after it: no task waits on this new
            // stream yet and it has no termination handler, so the yield takes no other lock.
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
    ///
    /// Nothing is yielded or ended under the lock. A yield resumes the watcher's task, which takes that
    /// task's status lock; a watcher being cancelled holds its status lock while its stream's
    /// termination handler runs, and that handler takes this lock (``unsubscribe(_:_:)``). Yielding
    /// under the lock let the two wait for each other forever, which stopped every watch of the server.
    /// Batches of one resource are published one after another by its one ``follow(_:store:)`` task, so
    /// each subscriber still receives them in order.
    private func publish(_ resource: String, _ batch: [StorageEvent]) {
        let deliveries = state.withLock { s -> [Delivery] in
            guard var cached = s.resources[resource] else { return [] }
            for event in batch {
                cached.recent.append(event)
                if cached.recent.count > capacity, let dropped = cached.recent.popFirst() { cached.since = dropped.revision }
            }
            var deliveries: [Delivery] = []
            for (id, subscriber) in cached.subscribers {
                let events = batch.filter { $0.revision > subscriber.after && (subscriber.namespace == nil || $0.key.namespace == subscriber.namespace) }
                if !events.isEmpty { deliveries.append(Delivery(id: id, continuation: subscriber.continuation, events: events)) }
            }
            s.resources[resource] = cached
            return deliveries
        }
        let behind = deliveries.filter { delivery in
            if case .dropped = delivery.continuation.yield(delivery.events) { true } else { false }
        }
        guard !behind.isEmpty else { return }
        state.withLock { s in
            for delivery in behind { s.resources[resource]?.subscribers[delivery.id] = nil }
        }
        for delivery in behind {
            delivery.continuation.finish(throwing: StorageError(.expired(oldest: delivery.events[0].revision), message: "the watcher fell behind"))
        }
    }

    /// A batch's events for one subscriber, handed over outside the lock.
    private struct Delivery {
        let id: Int
        let continuation: AsyncThrowingStream<[StorageEvent], any Error>.Continuation
        let events: [StorageEvent]
    }

    /// Ends the resource's subscribers (they resume elsewhere) and forgets it.
    private func drop(_ resource: String, error: any Error) {
        let subscribers = state.withLock { s in
            s.requested.remove(resource)
            return s.resources.removeValue(forKey: resource)?.subscribers.values.map(\.continuation) ?? []
        }
        for continuation in subscribers { continuation.finish(throwing: error) }
    }

    /// The revision the resource's cache starts after: the first watch's, or the current one.
    private func startingRevision(_ resource: String, store: EtcdObjectStore) async throws -> Int64 {
        if let since = state.withLock({ $0.resources[resource]?.since }) { return since }
        let current = try await store.currentRevision()
        return state.withLock { s in
            if let since = s.resources[resource]?.since { return since }
            s.resources[resource] = Resource(since: current)
            return current
        }
    }

    /// Runs one etcd watch per requested resource until graceful shutdown.
    func run(store: EtcdObjectStore) async {
        state.withLock { $0.running = true }
        defer { state.withLock { $0.running = false } }
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
            let start = try await startingRevision(resource, store: store)
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
