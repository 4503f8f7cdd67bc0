import FederationAPI
import Foundation

/// A minimal in-memory `ObjectStore` used until the SQLite store is merged. Not durable.
actor InterimMemoryStore: ObjectStore {
    private var objects: [StorageKey: StoredObject] = [:]
    private var events: [StorageEvent] = []
    private var revision: Int64 = 0
    private var watchers: [UUID: (resource: String, namespace: String?, continuation: AsyncThrowingStream<StorageEvent, any Error>.Continuation)] = [:]

    func currentRevision() -> Int64 { revision }
    func get(_ key: StorageKey) -> StoredObject? { objects[key] }

    func list(resource: String, namespace: String?) -> (objects: [StoredObject], revision: Int64) {
        let items = objects.values.filter { $0.key.resource == resource && (namespace == nil || $0.key.namespace == namespace) }
            .sorted { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }
        return (items, revision)
    }

    func create(_ key: StorageKey, object: JSONValue) throws -> StoredObject {
        guard objects[key] == nil else { throw StorageError(.alreadyExists, key: key) }
        return commit(.added, key, object, previous: nil)
    }

    func update(_ key: StorageKey, expectedRevision: Int64?, _ transform: @Sendable (StoredObject) throws -> JSONValue) throws -> StoredObject {
        guard let current = objects[key] else { throw StorageError(.notFound, key: key) }
        if let expectedRevision, expectedRevision != current.revision { throw StorageError(.conflict, key: key) }
        let next = try transform(current)
        if next == current.object { return current }
        return commit(.modified, key, next, previous: current.object)
    }

    func delete(_ key: StorageKey, expectedRevision: Int64?) throws -> StoredObject {
        guard let current = objects[key] else { throw StorageError(.notFound, key: key) }
        if let expectedRevision, expectedRevision != current.revision { throw StorageError(.conflict, key: key) }
        return commit(.deleted, key, current.object, previous: current.object)
    }

    private func commit(_ type: StorageEventType, _ key: StorageKey, _ object: JSONValue, previous: JSONValue?) -> StoredObject {
        revision += 1
        var o = object
        o.setValue(.string(String(revision)), at: ["metadata", "resourceVersion"])
        let stored = StoredObject(key: key, object: o, revision: revision)
        if type == .deleted { objects[key] = nil } else { objects[key] = stored }
        let event = StorageEvent(type: type, key: key, object: o, previous: previous, revision: revision)
        events.append(event)
        if events.count > 10_000 { events.removeFirst(events.count - 10_000) }
        for w in watchers.values where w.resource == key.resource && (w.namespace == nil || w.namespace == key.namespace) {
            w.continuation.yield(event)
        }
        return stored
    }

    func watch(resource: String, namespace: String?, after start: Int64) throws -> StorageWatch {
        let oldest = (events.first?.revision ?? revision + 1) - 1
        if start < oldest { throw StorageError(.expired(oldest: oldest + 1)) }
        let (stream, continuation) = AsyncThrowingStream<StorageEvent, any Error>.makeStream()
        for e in events where e.revision > start && e.key.resource == resource && (namespace == nil || e.key.namespace == namespace) {
            continuation.yield(e)
        }
        let id = UUID()
        watchers[id] = (resource, namespace, continuation)
        continuation.onTermination = { _ in Task { await self.removeWatcher(id) } }
        return StorageWatch(stream)
    }

    private func removeWatcher(_ id: UUID) { watchers[id] = nil }
}
