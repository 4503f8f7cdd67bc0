import Foundation
import GRDB

/// The SQL the store runs, as cached statements. Every function takes the connection it runs on;
/// writers call them inside the write transaction, readers inside a read transaction.
enum StorageRecords {
    /// The current object row at a key.
    struct ObjectRow {
        var id: Int64
        var revision: Int64
        var data: Data
    }

    /// The `meta` row: newest committed revision and highest compacted history revision.
    static func meta(_ db: Database) throws -> (revision: Int64, compacted: Int64) {
        let statement = try db.cachedStatement(sql: "SELECT revision, compacted FROM meta WHERE id = 1")
        guard let row = try Row.fetchOne(statement) else {
            throw StorageError(.internalError, message: "the meta row is missing; the database is damaged")
        }
        return (row[0], row[1])
    }

    /// Records the newest committed revision.
    static func setRevision(_ db: Database, _ revision: Int64) throws {
        let statement = try db.cachedStatement(sql: "UPDATE meta SET revision = ? WHERE id = 1")
        try statement.execute(arguments: [revision])
    }

    /// Records the highest compacted history revision.
    static func setCompacted(_ db: Database, _ revision: Int64) throws {
        let statement = try db.cachedStatement(sql: "UPDATE meta SET compacted = ? WHERE id = 1")
        try statement.execute(arguments: [revision])
    }

    /// The object row at `key`, or nil.
    static func object(_ db: Database, _ key: StorageKey) throws -> ObjectRow? {
        let statement = try db.cachedStatement(
            sql: "SELECT id, revision, data FROM objects WHERE resource = ? AND namespace = ? AND name = ?")
        guard let row = try Row.fetchOne(statement, arguments: [key.resource, key.namespace, key.name]) else {
            return nil
        }
        return ObjectRow(id: row[0], revision: row[1], data: row[2])
    }

    /// Inserts an object unless the key is taken; returns false when it was taken.
    static func insertObject(_ db: Database, _ key: StorageKey, revision: Int64, data: Data) throws -> Bool {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO objects (resource, namespace, name, revision, data) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (resource, namespace, name) DO NOTHING
                """)
        try statement.execute(arguments: [key.resource, key.namespace, key.name, revision, data])
        return db.changesCount == 1
    }

    /// Replaces the object row `id`.
    static func updateObject(_ db: Database, id: Int64, revision: Int64, data: Data) throws {
        let statement = try db.cachedStatement(sql: "UPDATE objects SET revision = ?, data = ? WHERE id = ?")
        try statement.execute(arguments: [revision, data, id])
    }

    /// Removes the object row `id`.
    static func deleteObject(_ db: Database, id: Int64) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM objects WHERE id = ?")
        try statement.execute(arguments: [id])
    }

    /// Appends a history event.
    static func insertEvent(
        _ db: Database, revision: Int64, type: StorageEventType, key: StorageKey,
        previousRevision: Int64?, data: Data, previous: Data?, createdAtMilliseconds: Int64
    ) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO events (revision, type, resource, namespace, name, previous_revision, data, previous, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try statement.execute(arguments: [
            revision, type.storageCode, key.resource, key.namespace, key.name,
            previousRevision, data, previous, createdAtMilliseconds,
        ])
    }

    /// Current objects of a resource (in one namespace, or all), sorted by namespace then name.
    static func objects(_ db: Database, resource: String, namespace: String?) throws -> [(StorageKey, Int64, Data)] {
        let rows: RowCursor
        if let namespace {
            let statement = try db.cachedStatement(
                sql: "SELECT namespace, name, revision, data FROM objects WHERE resource = ? AND namespace = ? ORDER BY namespace, name")
            rows = try Row.fetchCursor(statement, arguments: [resource, namespace])
        } else {
            let statement = try db.cachedStatement(
                sql: "SELECT namespace, name, revision, data FROM objects WHERE resource = ? ORDER BY namespace, name")
            rows = try Row.fetchCursor(statement, arguments: [resource])
        }
        var result: [(StorageKey, Int64, Data)] = []
        while let row = try rows.next() {
            result.append((StorageKey(resource: resource, namespace: row[0], name: row[1]), row[2], row[3]))
        }
        return result
    }
}
