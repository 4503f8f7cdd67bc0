import ControlPlane
import KubernetesAPI

/// A test store that hands every call to `base`, except those it implements itself (a failure or an
/// interleaving to inject).
protocol WrappingStore: ObjectStore {
    var base: any ObjectStore { get }
}

extension WrappingStore {
    func currentRevision() async throws -> Int64 { try await base.currentRevision() }
    func get(_ key: StorageKey) async throws -> StoredObject? { try await base.get(key) }
    func list(resource: String, namespace: String?) async throws -> (objects: [StoredObject], revision: Int64) {
        try await base.list(resource: resource, namespace: namespace)
    }
    func create(_ key: StorageKey, object: JSONValue) async throws -> StoredObject { try await base.create(key, object: object) }
    func update(_ key: StorageKey, expectedRevision: Int64?, _ transform: @Sendable (StoredObject) throws -> JSONValue) async throws -> StoredObject {
        try await base.update(key, expectedRevision: expectedRevision, transform)
    }
    func delete(_ key: StorageKey, expectedRevision: Int64?) async throws -> StoredObject { try await base.delete(key, expectedRevision: expectedRevision) }
    func watch(resource: String, namespace: String?, after revision: Int64) async throws -> StorageWatch {
        try await base.watch(resource: resource, namespace: namespace, after: revision)
    }
    var sharedBetweenServers: Bool { base.sharedBetweenServers }
    func close() async throws { try await base.close() }
}
