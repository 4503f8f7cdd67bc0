import Foundation
import GRDB
import KubernetesAPI

/// One mutation queued for the writer.
enum WriteOperation: Sendable {
    case create(StorageKey, JSONValue)
    /// A create that fails with ``NamespaceUnavailable`` unless the Namespace exists and is not terminating.
    case createInNamespace(StorageKey, JSONValue, namespace: String)
    case update(StorageKey, expectedRevision: Int64?, transform: @Sendable (StoredObject) throws -> JSONValue)
    case delete(StorageKey, expectedRevision: Int64?)
}

/// What applying one operation inside a batch produced.
enum WriteOutcome {
    /// A row changed at the next revision; the event is published after commit.
    case written(StoredObject, StorageEvent)
    /// `update` whose transform changed nothing: no revision consumed.
    case unchanged(StoredObject)
    /// A rejection (not found, conflict, transform error); nothing was written for this operation.
    case failed(any Error)
}

extension WriteOperation {
    /// Applies the operation inside the open write transaction, taking `revision` if it writes.
    ///
    /// Only database failures are thrown (they abort the whole batch); every other failure is
    /// returned as `.failed` so the other operations of the batch still commit.
    func apply(_ db: Database, revision: Int64, nowMilliseconds: Int64) throws -> WriteOutcome {
        switch self {
        case .create(let key, let object):
            return try Self.create(db, key, object, revision: revision, now: nowMilliseconds)
        case .createInNamespace(let key, let object, let namespace):
            let row = try StorageRecords.object(db, StorageKey(resource: "namespaces", namespace: "", name: namespace))
            let stored: JSONValue?
            do { stored = try row.map { try CompactJSON.decode($0.data) } } catch { return .failed(error) }
            if let unavailable = NamespaceUnavailable.check(namespace, object: stored) { return .failed(unavailable) }
            return try Self.create(db, key, object, revision: revision, now: nowMilliseconds)
        case .update(let key, let expected, let transform):
            return try Self.update(db, key, expected, transform, revision: revision, now: nowMilliseconds)
        case .delete(let key, let expected):
            return try Self.delete(db, key, expected, revision: revision, now: nowMilliseconds)
        }
    }

    private static func create(
        _ db: Database, _ key: StorageKey, _ object: JSONValue, revision: Int64, now: Int64
    ) throws -> WriteOutcome {
        let stamped: JSONValue
        do { stamped = try object.stampingResourceVersion(revision, key: key) } catch { return .failed(error) }
        let data = CompactJSON.encode(stamped)
        guard try StorageRecords.insertObject(db, key, revision: revision, data: data) else {
            return .failed(StorageError(.alreadyExists, key: key, message: "\(key) already exists"))
        }
        try StorageRecords.insertEvent(
            db, revision: revision, type: .added, key: key, previousRevision: nil, data: data, previous: nil,
            createdAtMilliseconds: now)
        let stored = StoredObject(key: key, object: stamped, revision: revision)
        return .written(stored, StorageEvent(type: .added, key: key, object: stamped, previous: nil, revision: revision, encodedObject: data))
    }

    private static func update(
        _ db: Database, _ key: StorageKey, _ expected: Int64?,
        _ transform: @Sendable (StoredObject) throws -> JSONValue, revision: Int64, now: Int64
    ) throws -> WriteOutcome {
        let row: StorageRecords.ObjectRow
        switch try existing(db, key, expected) {
        case .success(let found): row = found
        case .failure(let error): return .failed(error)
        }
        let current: StoredObject
        let next: JSONValue
        do {
            current = StoredObject(key: key, object: try JSONValue.decodeStored(row.data, key: key), revision: row.revision)
            // The store owns resourceVersion: compare with the stored revision stamped in.
            let output = try transform(current).stampingResourceVersion(row.revision, key: key)
            if CompactJSON.encode(output) == row.data { return .unchanged(current) }
            next = try output.stampingResourceVersion(revision, key: key)
        } catch {
            return .failed(error)
        }
        let data = CompactJSON.encode(next)
        try StorageRecords.updateObject(db, id: row.id, revision: revision, data: data)
        try StorageRecords.insertEvent(
            db, revision: revision, type: .modified, key: key, previousRevision: row.revision, data: data,
            previous: row.data, createdAtMilliseconds: now)
        let event = StorageEvent(
            type: .modified, key: key, object: next, previous: current.object, revision: revision, encodedObject: data)
        return .written(StoredObject(key: key, object: next, revision: revision), event)
    }

    private static func delete(
        _ db: Database, _ key: StorageKey, _ expected: Int64?, revision: Int64, now: Int64
    ) throws -> WriteOutcome {
        let row: StorageRecords.ObjectRow
        switch try existing(db, key, expected) {
        case .success(let found): row = found
        case .failure(let error): return .failed(error)
        }
        let previous: JSONValue
        let deleted: JSONValue
        do {
            previous = try JSONValue.decodeStored(row.data, key: key)
            deleted = try previous.stampingResourceVersion(revision, key: key)
        } catch {
            return .failed(error)
        }
        let data = CompactJSON.encode(deleted)
        try StorageRecords.deleteObject(db, id: row.id)
        try StorageRecords.insertEvent(
            db, revision: revision, type: .deleted, key: key, previousRevision: row.revision,
            data: data, previous: nil, createdAtMilliseconds: now)
        let event = StorageEvent(
            type: .deleted, key: key, object: deleted, previous: previous, revision: revision, encodedObject: data)
        return .written(StoredObject(key: key, object: deleted, revision: revision), event)
    }

    /// The row at `key`, checked against `expected`; `.failure` for not found or a revision mismatch.
    private static func existing(
        _ db: Database, _ key: StorageKey, _ expected: Int64?
    ) throws -> Result<StorageRecords.ObjectRow, StorageError> {
        guard let row = try StorageRecords.object(db, key) else {
            return .failure(StorageError(.notFound, key: key, message: "\(key) not found"))
        }
        if let expected, expected != row.revision {
            return .failure(
                StorageError(
                    .conflict, key: key,
                    message: "\(key) has been modified: expected revision \(expected), stored revision \(row.revision)"))
        }
        return .success(row)
    }
}
