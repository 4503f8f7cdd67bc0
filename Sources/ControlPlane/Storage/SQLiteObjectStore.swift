import Foundation
import GRDB
import KubernetesAPI
import Logging

/// The durable ``ObjectStore``: SQLite (through GRDB) in WAL mode with `synchronous=FULL`.
///
/// One data file in a directory holds the current objects, the change history and a meta row with
/// the global revision. Every create, update and delete takes exactly the next revision, stamps it
/// into `metadata.resourceVersion` and commits together with its history event; a call returns only
/// after that commit reached the disk. Concurrent writes are committed together (group commit).
/// Watches replay retained history and continue with live events from an in-memory fan-out.
///
/// ```swift
/// let store = try SQLiteObjectStore(directory: dataDirectory)
/// let cm = try await store.create(StorageKey(resource: "configmaps", namespace: "default", name: "a"), object: json)
/// for try await event in try await store.watch(resource: "configmaps", namespace: nil, after: cm.revision) { … }
/// ```
public final class SQLiteObjectStore: ObjectStore {
    private let database: DatabasePool
    private let hub: WatchHub
    private let writer: StorageWriter
    private let configuration: SQLiteObjectStoreConfiguration
    private let lock: DataDirectoryLock

    /// The path of the SQLite data file.
    public let path: String

    /// Opens (creating if needed) the store in `directory`; an existing store continues its revision sequence.
    /// Only one store may have a directory open at a time (an advisory lock file enforces it).
    public init(
        directory: URL,
        configuration: SQLiteObjectStoreConfiguration = SQLiteObjectStoreConfiguration(),
        logger: Logger = Logger(label: "concord.storage")
    ) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent(configuration.fileName).path
        lock = try DataDirectoryLock(path: path + ".lock")
        var options = Configuration()
        options.label = "concord.storage"
        options.busyMode = .timeout(5)
        let meta: (revision: Int64, compacted: Int64)
        do {
            database = try DatabasePool(path: path, configuration: options)
            // FULL fsyncs the WAL at every commit, so an acknowledged write survives power loss too.
            // It must be set after the pool opens: GRDB sets NORMAL on the writer when it enables WAL.
            let synchronous = configuration.durability == .powerLoss ? "FULL" : "NORMAL"
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
            try StorageSchema.migrate(database)
            meta = try database.read { db in try StorageRecords.meta(db) }
        } catch {
            throw StorageError(.internalError, message: "cannot open the object store at \(path): \(error)")
        }
        self.configuration = configuration
        hub = WatchHub(published: meta.revision, compacted: meta.compacted, capacity: configuration.watchBufferCapacity)
        writer = StorageWriter(database: database, hub: hub, configuration: configuration, logger: logger, revision: meta.revision)
    }

    // MARK: Reads

    /// The revision of the newest committed write (0 for an empty store).
    public func currentRevision() async throws -> Int64 {
        hub.publishedRevision
    }

    /// The object at `key`, or nil.
    public func get(_ key: StorageKey) async throws -> StoredObject? {
        let row = try await read { db in try StorageRecords.object(db, key) }
        guard let row else { return nil }
        return StoredObject(key: key, object: try JSONValue.decodeStored(row.data, key: key), revision: row.revision)
    }

    /// Every object of `resource` (in `namespace`, or all namespaces when nil), sorted by namespace
    /// then name, with the revision of the snapshot they were read from.
    public func list(resource: String, namespace: String?) async throws -> (objects: [StoredObject], revision: Int64) {
        let (rows, revision) = try await read { db in
            (try StorageRecords.objects(db, resource: resource, namespace: namespace), try StorageRecords.meta(db).revision)
        }
        let objects = try rows.map { key, revision, data in
            StoredObject(key: key, object: try JSONValue.decodeStored(data, key: key), revision: revision)
        }
        return (objects, revision)
    }

    // MARK: Writes

    /// Creates the object at the next revision; `.alreadyExists` if the key is taken.
    public func create(_ key: StorageKey, object: JSONValue) async throws -> StoredObject {
        try await writer.submit(.create(key, object))
    }

    /// Creates the object if its Namespace exists and is not terminating, checked in the write
    /// transaction (no separate read, and no race with the namespace's deletion).
    public func create(_ key: StorageKey, object: JSONValue, inNamespace namespace: String) async throws -> StoredObject {
        try await writer.submit(.createInNamespace(key, object, namespace: namespace))
    }

    /// Reads, transforms and writes the object atomically inside the write transaction.
    /// Returns the stored object unchanged (no new revision) when the transform changes nothing.
    public func update(
        _ key: StorageKey, expectedRevision: Int64?,
        _ transform: @Sendable (StoredObject) throws -> JSONValue
    ) async throws -> StoredObject {
        // The writer calls `transform` before this call returns; it never escapes the call.
        try await withoutActuallyEscaping(transform) { transform in
            try await writer.submit(.update(key, expectedRevision: expectedRevision, transform: transform))
        }
    }

    /// Deletes the object at the next revision and returns it stamped with that revision.
    public func delete(_ key: StorageKey, expectedRevision: Int64?) async throws -> StoredObject {
        try await writer.submit(.delete(key, expectedRevision: expectedRevision))
    }

    // MARK: Watch

    /// Changes to `resource` (in `namespace`, or all when nil) with revision > `revision`: retained
    /// history first, then live. Throws `.expired` at once when `revision` is older than the history.
    public func watch(resource: String, namespace: String?, after revision: Int64) async throws -> StorageWatch {
        let (id, replayThrough) = try hub.register(resource: resource, namespace: namespace, after: revision)
        let watcher = HistoryReplayWatcher(
            id: id, hub: hub, reader: database, resource: resource, namespace: namespace,
            after: revision, replayThrough: replayThrough, pageSize: configuration.replayPageSize)
        return watcher.stream()
    }

    // MARK: Maintenance

    /// The oldest revision a watch can still start after (history is compacted through it).
    public func oldestResumableRevision() async throws -> Int64 {
        try await read { db in try StorageRecords.meta(db).compacted }
    }

    /// The number of watchers currently registered (for metrics and leak tests).
    public var activeWatchCount: Int { hub.watcherCount }

    /// How many watchers were ended with `.expired` because they fell behind (their bounded buffer
    /// overflowed) since the store opened: slow consumers that must relist.
    public var terminatedWatchCount: Int { hub.terminatedCount }

    /// The SQLite settings the writer really runs with, for diagnostics and durability checks.
    public func writerSettings() async throws -> (journalMode: String, synchronous: String) {
        try await database.writeWithoutTransaction { db in
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "unknown"
            let level = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            let names = [0: "off", 1: "normal", 2: "full", 3: "extra"]
            return (journal, names[level] ?? "unknown(\(level))")
        }
    }

    /// Runs history compaction now instead of waiting for the next compaction interval.
    public func compactHistory() async throws {
        try await database.writeWithoutTransaction { db in try self.writer.compact(db) }
    }

    /// Ends every watch, refuses further writes, waits for queued writes to commit and closes the file.
    public func close() async throws {
        writer.close()
        hub.close()
        do {
            try await database.writeWithoutTransaction { _ in }
            try database.close()
            lock.release()
        } catch {
            throw StorageError(.internalError, message: "closing the object store failed: \(error)")
        }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.internalError, message: "database read failed: \(error)")
        }
    }
}
