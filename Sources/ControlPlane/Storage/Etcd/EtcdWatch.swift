import DequeModule
import Foundation
import KubernetesAPI

extension EtcdObjectStore {
    /// Changes to `resource` (in `namespace`, or all when nil) after `revision`: an etcd watch from
    /// `revision + 1` with previous values. A revision below etcd's compaction gets `.expired` at once;
    /// a watch etcd cancels for compaction ends with `.expired`. When the member serving the watch goes
    /// away, the watch reopens on another from the last revision delivered, so no change is lost or repeated.
    public func watch(resource: String, namespace: String?, after revision: Int64) async throws -> StorageWatch {
        if let cached = watchCache.watch(resource: resource, namespace: namespace, after: revision) { return cached }
        try await checkRetained(after: revision)
        if let cached = watchCache.watch(resource: resource, namespace: namespace, after: revision, starting: true) { return cached }
        let prefix = rangePrefix(resource: resource, namespace: namespace)
        let feed = EtcdWatchFeed(store: self, prefix: prefix, after: revision)
        let open = OpenFeed(counter: self)
        return StorageWatch(batches: AsyncThrowingStream(unfolding: {
            withExtendedLifetime(open) {}
            return try await feed.next()
        }))
    }

    /// Throws `.expired` when history after `revision` is compacted away: a read at `revision + 1`
    /// then fails (one that is still in the future is fine).
    private func checkRetained(after revision: Int64) async throws {
        do {
            _ = try await range(["key": EtcdWire.base64(prefix + "/"), "count_only": true, "revision": EtcdWire.int(revision + 1)])
        } catch let error as StorageError {
            if case .expired = error.code { throw StorageError(.expired(oldest: max(compaction.revision, revision + 1)), message: error.message) }
            if error.message.contains("future revision") { return }
            throw error
        }
    }

    /// True when some key under `prefix` was written after `revision` (deletions aside): a watch that
    /// delivered up to `revision` and is idle has missed it.
    func changed(under prefix: String, after revision: Int64) async throws -> Bool {
        let response = try await range([
            "key": EtcdWire.base64(prefix), "range_end": EtcdWire.rangeEnd(ofPrefix: prefix), "count_only": true,
            "min_mod_revision": EtcdWire.int(revision + 1),
        ])
        return (response.count.flatMap(Int64.init) ?? 0) > 0
    }

    /// A storage event for one etcd event, or nil for a key outside the store's layout.
    func event(_ e: EtcdWire.Event) throws -> StorageEvent? {
        guard let kv = e.kv, let key = storageKey(kv.keyBytes) else { return nil }
        let previous = try e.prev_kv.map { try object($0, key: key) }
        if e.type == "DELETE" {
            guard let last = e.prev_kv else {
                throw StorageError(.internalError, key: key, message: "etcd sent a deletion of \(key) without its previous value")
            }
            let gone = try object(last, key: key, revision: kv.modRevision)
            return StorageEvent(type: .deleted, key: key, object: gone, previous: previous, revision: kv.modRevision, encodedObject: gone.jsonData())
        }
        let type: StorageEventType = kv.createRevision == kv.modRevision ? .added : .modified
        // Encoded once here, so every watcher sends the same bytes instead of encoding the object again.
        let current = try object(kv, key: key)
        return StorageEvent(type: type, key: key, object: current, previous: previous, revision: kv.modRevision, encodedObject: current.jsonData())
    }
}

/// Counts a storage watch on an etcd watch of its own in `ownFeeds` while its stream lives.
private final class OpenFeed: Sendable {
    private let store: EtcdObjectStore

    init(counter store: EtcdObjectStore) {
        self.store = store
        store.ownFeeds.add(1, ordering: .relaxed)
    }

    deinit { store.ownFeeds.subtract(1, ordering: .relaxed) }
}

/// Reads one etcd watch, message by message, for one storage watcher, and reopens it after a broken connection.
///
/// `@unchecked Sendable`: it is only used through an unfolding `AsyncThrowingStream`, which calls
/// `next()` once at a time and never concurrently, so its state is only touched by one task at a time.
final class EtcdWatchFeed: @unchecked Sendable {
    private let store: EtcdObjectStore
    private let prefix: String
    private var delivered: Int64
    private var chunks: (any AsyncIteratorProtocol<Data, any Error>)?
    private var buffer = Data()
    private var lines: Deque<Data> = []
    private var failures = 0
    /// Consecutive failed reopenings before the watch gives up (the caller then relists).
    private static let maxFailures = 50

    init(store: EtcdObjectStore, prefix: String, after revision: Int64) {
        self.store = store
        self.prefix = prefix
        delivered = revision
    }

    /// The next non-empty group of events.
    func next() async throws -> [StorageEvent]? {
        while true {
            try Task.checkCancellation()
            guard let message = try await nextMessage() else { continue }
            // A member that lost its leader ends its watches ("no leader"): resume on another from the last revision.
            if let error = message.error {
                try await reopenAfter(StorageError(.internalError, message: "etcd watch failed: \(error.message ?? "code \(error.code ?? 0)")"))
                continue
            }
            guard let result = message.result else { continue }
            if result.canceled == true {
                let compacted = result.compact_revision.flatMap(Int64.init) ?? 0
                if compacted > 0 {
                    store.compaction.raise(to: compacted)
                    throw StorageError(.expired(oldest: compacted), message: "etcd compacted the history at \(compacted)")
                }
                try await reopenAfter(StorageError(.internalError, message: "etcd cancelled the watch: \(result.cancel_reason ?? "no reason given")"))
                continue
            }
            let events = try (result.events ?? []).compactMap { try store.event($0) }.filter { $0.revision > delivered }
            guard let last = events.last else { continue }
            delivered = last.revision
            failures = 0
            return events
        }
    }

    /// The next message of the stream, opening (or reopening) the watch as needed; nil after a broken
    /// connection, once the watch is ready to reopen.
    private func nextMessage() async throws -> EtcdWire.StreamMessage? {
        while true {
            if let line = lines.popFirst() {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
                return try EtcdWire.streamMessage(line)
            }
            do {
                if chunks == nil { chunks = try await open() }
                guard let chunk = try await nextChunk() else { throw StorageError(.internalError, message: "the etcd watch connection closed") }
                // Only the new bytes are searched for line ends (a message of many events spans many chunks);
                // the unfinished end waits for the next chunk.
                var start = chunk.startIndex
                for offset in chunk.newlineOffsets() {
                    let end = chunk.startIndex + offset
                    if buffer.isEmpty {
                        lines.append(chunk[start..<end])
                    } else {
                        buffer.append(chunk[start..<end])
                        lines.append(buffer)
                        buffer = Data()
                    }
                    start = end + 1
                }
                buffer.append(chunk[start...])
            } catch let error as CancellationError {
                throw error
            } catch {
                try await reopenAfter(error)
                return nil
            }
        }
    }

    private enum Read: Sendable {
        case chunk(Data?)
        case stale
    }

    /// The next bytes of the stream. While none come, every `progressCheckInterval` a read on another
    /// member checks that nothing under the prefix changed after the last delivered revision: a member
    /// that stopped delivering (one that restarted and lost track, say) is left for another.
    private func nextChunk() async throws -> Data? {
        let read = try await withThrowingTaskGroup(of: Read.self) { group in
            group.addTask { .chunk(try await self.chunks?.next()) }
            group.addTask {
                while true {
                    try await self.store.clock.sleep(for: self.store.progressCheckInterval)
                    if try await self.store.changed(under: self.prefix, after: self.delivered) { return .stale }
                }
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return Read.stale }
            return first
        }
        switch read {
        case .chunk(let data): return data
        case .stale: throw StorageError(.internalError, message: "the etcd watch fell behind the store")
        }
    }

    private func open() async throws -> any AsyncIteratorProtocol<Data, any Error> {
        let request: JSONValue = [
            "key": EtcdWire.base64(prefix), "range_end": EtcdWire.rangeEnd(ofPrefix: prefix),
            "start_revision": EtcdWire.int(delivered + 1), "prev_kv": true,
        ]
        return try await store.transport.watch(request).makeAsyncIterator()
    }

    private func reopenAfter(_ error: any Error) async throws {
        if Task.isCancelled { throw CancellationError() }
        if let storageError = error as? StorageError, case .expired = storageError.code { throw storageError }
        failures += 1
        chunks = nil
        buffer = Data()
        lines = []
        guard failures <= Self.maxFailures else { throw error }
        store.logger.debug("Reopening an etcd watch", metadata: ["prefix": "\(prefix)", "after": "\(delivered)", "error": "\(error)"])
        try await store.clock.sleep(for: .milliseconds(min(1000, 50 * failures)))
    }
}
