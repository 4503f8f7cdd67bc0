import Foundation
import KubernetesAPI

extension EtcdObjectStore {
    /// Creates the object: a txn that puts it only while the key's `mod_revision` is 0 (absent).
    public func create(_ key: StorageKey, object: JSONValue) async throws -> StoredObject {
        let value = try encode(object, key: key)
        let etcdKey = etcdKey(key)
        let response = try await txn([
            "compare": [EtcdWire.modRevisionEquals(etcdKey, 0)],
            "success": [["request_put": ["key": EtcdWire.base64(etcdKey), "value": EtcdWire.base64(value)]]],
            "failure": [EtcdWire.rangeOp(etcdKey)],
        ])
        guard response.succeeded == true else { throw StorageError(.alreadyExists, key: key, message: "\(key) already exists") }
        return try written(object, key: key, revision: response.header?.revisionValue ?? 0)
    }

    /// Creates the object while the Namespace is unchanged since it was read and not terminating: the txn
    /// also compares the Namespace's `mod_revision`, and is tried again when only the Namespace moved.
    public func create(_ key: StorageKey, object: JSONValue, inNamespace namespace: String) async throws -> StoredObject {
        let value = try encode(object, key: key)
        let etcdKey = etcdKey(key)
        let namespaceKey = StorageKey(resource: "namespaces", namespace: "", name: namespace)
        while true {
            let found = try await get(namespaceKey)
            if let unavailable = NamespaceUnavailable.check(namespace, object: found?.object) { throw unavailable }
            let response = try await txn([
                "compare": [EtcdWire.modRevisionEquals(etcdKey, 0), EtcdWire.modRevisionEquals(self.etcdKey(namespaceKey), found?.revision ?? 0)],
                "success": [["request_put": ["key": EtcdWire.base64(etcdKey), "value": EtcdWire.base64(value)]]],
                "failure": [EtcdWire.rangeOp(etcdKey)],
            ])
            if response.succeeded == true { return try written(object, key: key, revision: response.header?.revisionValue ?? 0) }
            if response.responses?.first?.response_range?.kvs?.isEmpty == false {
                throw StorageError(.alreadyExists, key: key, message: "\(key) already exists")
            }
        }
    }

    /// Reads, transforms and writes with a txn comparing the `mod_revision` that was read; when another
    /// write came first, the txn's else branch returns the current object and the transform runs again
    /// on it (or `.conflict` when `expectedRevision` no longer matches).
    public func update(
        _ key: StorageKey, expectedRevision: Int64?,
        _ transform: @Sendable (StoredObject) throws -> JSONValue
    ) async throws -> StoredObject {
        let etcdKey = etcdKey(key)
        var current = try await get(key)
        while true {
            let existing = try Self.checked(current, key: key, expectedRevision: expectedRevision)
            let updated = try transform(existing)
            if updated == existing.object { return existing }
            let value = try encode(updated, key: key)
            let response = try await txn([
                "compare": [EtcdWire.modRevisionEquals(etcdKey, existing.revision)],
                "success": [["request_put": ["key": EtcdWire.base64(etcdKey), "value": EtcdWire.base64(value)]]],
                "failure": [EtcdWire.rangeOp(etcdKey)],
            ])
            if response.succeeded == true { return try written(updated, key: key, revision: response.header?.revisionValue ?? 0) }
            current = try response.responses?.first?.response_range?.kvs?.first.map { try stored($0, key: key) }
        }
    }

    /// Deletes with a txn comparing the `mod_revision` that was read (the precondition's when given);
    /// returns the last state stamped with the deletion's revision.
    public func delete(_ key: StorageKey, expectedRevision: Int64?) async throws -> StoredObject {
        let etcdKey = etcdKey(key)
        var current = try await get(key)
        while true {
            let existing = try Self.checked(current, key: key, expectedRevision: expectedRevision)
            let response = try await txn([
                "compare": [EtcdWire.modRevisionEquals(etcdKey, existing.revision)],
                "success": [["request_delete_range": ["key": EtcdWire.base64(etcdKey), "prev_kv": true]]],
                "failure": [EtcdWire.rangeOp(etcdKey)],
            ])
            if response.succeeded == true {
                let revision = response.header?.revisionValue ?? 0
                return StoredObject(key: key, object: try existing.object.stampingResourceVersion(revision, key: key), revision: revision)
            }
            current = try response.responses?.first?.response_range?.kvs?.first.map { try stored($0, key: key) }
        }
    }

    /// The object a write starts from: `.notFound` when there is none, `.conflict` when its revision is not the expected one.
    static func checked(_ current: StoredObject?, key: StorageKey, expectedRevision: Int64?) throws -> StoredObject {
        guard let current else { throw StorageError(.notFound, key: key, message: "\(key) not found") }
        if let expectedRevision, expectedRevision != current.revision {
            throw StorageError(.conflict, key: key, message: "\(key) is at revision \(current.revision), not \(expectedRevision)")
        }
        return current
    }

    /// The bytes stored for `object`: compact JSON without `metadata.resourceVersion` (the key's
    /// `mod_revision` is the resourceVersion). Refuses values that cannot carry one, and values over
    /// etcd's request limit.
    func encode(_ object: JSONValue, key: StorageKey) throws -> Data {
        var clean = try object.stampingResourceVersion(0, key: key)
        clean.setValue(nil, at: ["metadata", "resourceVersion"])
        let data = clean.jsonData()
        // etcd measures the request as protobuf: the key, the value and a few bytes of framing.
        let requestBytes = data.count + etcdKey(key).utf8.count + 64
        if requestBytes > maxRequestBytes {
            throw StorageError(
                .tooLarge(limit: Int64(maxRequestBytes)), key: key,
                message: "etcdserver: request is too large (\(requestBytes) bytes, limit \(maxRequestBytes))")
        }
        return data
    }

    /// The object as written (what was stored, stamped with the write's revision), without parsing the stored bytes again.
    private func written(_ object: JSONValue, key: StorageKey, revision: Int64) throws -> StoredObject {
        StoredObject(key: key, object: try object.stampingResourceVersion(revision, key: key), revision: revision)
    }
}
