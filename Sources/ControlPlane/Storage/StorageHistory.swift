import Foundation
import GRDB
import KubernetesAPI

/// Reading and compacting the `events` table.
///
/// Every revision in `(compacted, revision]` has exactly one event row, so the retained history is a
/// contiguous suffix and "is revision R still resumable" is simply `R >= compacted`.
enum StorageHistory {
    /// Events of `resource` (in `namespace`, or all) with `after < revision <= through`, oldest first, at most `limit`.
    ///
    /// Throws `.expired` when events after `after` have been compacted in this snapshot.
    static func events(
        _ db: Database, resource: String, namespace: String?, after: Int64, through: Int64, limit: Int
    ) throws -> [StorageEvent] {
        let compacted = try StorageRecords.meta(db).compacted
        if after < compacted {
            throw StorageError.tooOld(after, compacted: compacted)
        }
        let columns = "revision, type, namespace, name, previous_revision, data, previous"
        let rows: RowCursor
        if let namespace {
            let statement = try db.cachedStatement(
                sql: """
                    SELECT \(columns) FROM events
                    WHERE revision > ? AND revision <= ? AND resource = ? AND namespace = ?
                    ORDER BY revision LIMIT ?
                    """)
            rows = try Row.fetchCursor(statement, arguments: [after, through, resource, namespace, limit])
        } else {
            let statement = try db.cachedStatement(
                sql: """
                    SELECT \(columns) FROM events
                    WHERE revision > ? AND revision <= ? AND resource = ?
                    ORDER BY revision LIMIT ?
                    """)
            rows = try Row.fetchCursor(statement, arguments: [after, through, resource, limit])
        }
        var events: [StorageEvent] = []
        while let row = try rows.next() {
            events.append(try event(row, resource: resource))
        }
        return events
    }

    private static func event(_ row: Row, resource: String) throws -> StorageEvent {
        let revision: Int64 = row[0]
        let key = StorageKey(resource: resource, namespace: row[2], name: row[3])
        guard let type = StorageEventType(storageCode: row[1]) else {
            throw StorageError(.internalError, key: key, message: "history event \(revision) has an unknown type")
        }
        let data: Data = row[5]
        let object = try JSONValue.decodeStored(data, key: key)
        let previous: JSONValue?
        switch type {
        case .added:
            previous = nil
        case .modified:
            let previousData: Data? = row[6]
            previous = try previousData.map { try JSONValue.decodeStored($0, key: key) }
        case .deleted:
            let previousRevision: Int64? = row[4]
            previous = try previousRevision.map { try object.stampingResourceVersion($0, key: key) }
        }
        return StorageEvent(type: type, key: key, object: object, previous: previous, revision: revision, encodedObject: data)
    }

    /// Deletes the oldest events that are both outside the newest `minimumEvents` and older than
    /// `cutoffMilliseconds`, at most `maximumDeletions` of them (so one pass never stalls writers).
    /// Returns the new compacted revision, or nil when nothing was deleted.
    static func compact(
        _ db: Database, minimumEvents: Int64, cutoffMilliseconds: Int64, maximumDeletions: Int64 = 10_000
    ) throws -> Int64? {
        let (current, compacted) = try StorageRecords.meta(db)
        let upper = min(current - max(minimumEvents, 0), compacted + max(maximumDeletions, 1))
        guard upper > compacted else { return nil }
        let statement = try db.cachedStatement(sql: "SELECT created_at FROM events WHERE revision = ?")
        func isOld(_ revision: Int64) throws -> Bool {
            // A missing row would break the contiguity invariant; keep it rather than guess.
            guard let createdAt = try Int64.fetchOne(statement, arguments: [revision]) else { return false }
            return createdAt <= cutoffMilliseconds
        }
        // Event times are non-decreasing, so "old" is a prefix: find its end by bisection.
        let bound: Int64
        if try isOld(upper) {
            bound = upper
        } else {
            var old = compacted, young = upper
            while young - old > 1 {
                let middle = old + (young - old) / 2
                if try isOld(middle) { old = middle } else { young = middle }
            }
            bound = old
        }
        guard bound > compacted else { return nil }
        let delete = try db.cachedStatement(sql: "DELETE FROM events WHERE revision <= ?")
        try delete.execute(arguments: [bound])
        try StorageRecords.setCompacted(db, bound)
        return bound
    }
}

extension StorageError {
    /// The error for a resume point older than the retained history.
    static func tooOld(_ revision: Int64, compacted: Int64) -> StorageError {
        StorageError(
            .expired(oldest: compacted),
            message: "too old resource version: \(revision) (\(compacted + 1))")
    }
}
