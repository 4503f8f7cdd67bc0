import Foundation
import KubernetesAPI

/// The Lease in the server's own store, written through the API's object semantics (validation, managedFields,
/// a compare-and-swap on the revision: on etcd a txn comparing `mod_revision`), so `kubectl get lease` shows it.
struct HandlerLeaseLock: LeaseElectionLock {
    let handler: ResourceHandler
    let namespace: String
    let name: String
    let clock: any Clock<Duration>

    /// The request took longer than its bound.
    struct Timeout: Error, CustomStringConvertible {
        let description = "the lease request timed out"
    }

    private var definition: ResourceDefinition {
        get throws {
            guard let d = handler.registry.definition(group: "coordination.k8s.io", kind: Lease.kind) else {
                throw ControlPlaneError("coordination.k8s.io/v1 leases are not served")
            }
            return d
        }
    }

    private static func options() throws -> WriteOptions {
        try WriteOptions(QueryParameters(["fieldManager": "concord-leader-election"]))
    }

    func get(timeout: Duration) async throws -> LeaseRecord? {
        let key = handler.key(try definition, namespace: namespace, name: name)
        let stored = try await bounded(timeout) { [handler] in try await handler.store.get(key) }
        guard let stored else { return nil }
        return LeaseRecord(spec: try (stored.object["spec"] ?? [:]).decode(LeaseSpec.self), resourceVersion: String(stored.revision))
    }

    func create(_ spec: LeaseSpec, timeout: Duration) async throws -> LeaseRecord {
        let definition = try definition, options = try Self.options()
        let body = try JSONValue(encoding: Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
        let (created, _) = try await bounded(timeout) { [handler, namespace] in
            try await handler.create(definition, namespace: namespace, body: body, options: options)
        }
        return try Self.record(created)
    }

    func update(_ spec: LeaseSpec, resourceVersion: String, timeout: Duration) async throws -> LeaseRecord {
        let definition = try definition, options = try Self.options()
        guard let revision = Int64(resourceVersion) else { throw APIError.conflict(definition.name, name: name) }
        let specJSON = try JSONValue(encoding: spec)
        let (written, _) = try await bounded(timeout) { [handler, namespace, name] in
            try await handler.write(definition, namespace: namespace, name: name, expectedRevision: revision, options: options) { current in
                var lease = current
                lease["spec"] = specJSON
                return lease
            }
        }
        return try Self.record(written)
    }

    private static func record(_ lease: JSONValue) throws -> LeaseRecord {
        LeaseRecord(
            spec: try (lease["spec"] ?? [:]).decode(LeaseSpec.self),
            resourceVersion: lease.value(at: ["metadata", "resourceVersion"])?.stringValue ?? "")
    }

    /// Runs `body`, throwing `Timeout` when `timeout` passes on the clock first.
    private func bounded<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let clock = self.clock
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await clock.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw Timeout() }
            return value
        }
    }
}
