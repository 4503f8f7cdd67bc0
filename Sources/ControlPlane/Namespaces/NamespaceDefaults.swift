import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle

/// What kube-controller-manager keeps in every namespace, driven by the store's watches:
/// - the ServiceAccount `default` (its serviceaccounts controller), created when missing;
/// - the ConfigMap `kube-root-ca.crt` holding the CA clients verify this server with (its
///   root-ca-cert-publisher), created when missing and put back when its data is changed.
///
/// Both are re-created when deleted, and left alone in a namespace being deleted. Without a CA (plain
/// HTTP) there is no ConfigMap. Failed writes are retried after `retryInterval`.
struct NamespaceDefaults: Service {
    let handler: ResourceHandler
    /// The CA certificate (PEM) published as `ca.crt`; nil publishes nothing.
    let rootCA: String?
    let clock: any Clock<Duration>
    var retryInterval: Duration = .seconds(1)
    let logger: Logger

    static let serviceAccount = "default"
    static let rootCAConfigMap = "kube-root-ca.crt"
    static let description =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."

    /// Runs until graceful shutdown or cancellation.
    func run() async throws {
        let (namespaces, continuation) = AsyncStream<String>.makeStream()
        await withDiscardingTaskGroup { group in
            for resource in ["namespaces", "serviceaccounts", "configmaps"] {
                group.addTask { await follow(resource, into: continuation) }
            }
            for await namespace in namespaces.cancelOnGracefulShutdown() {
                guard await !ensure(namespace) else { continue }
                let clock = self.clock, interval = retryInterval
                group.addTask {
                    do { try await clock.sleep(for: interval) } catch { return }
                    continuation.yield(namespace)
                }
            }
            continuation.finish()
            group.cancelAll()
        }
    }

    /// The namespace a change of `resource` concerns, when it may need a default object (again).
    static func concerned(_ resource: String, key: StorageKey, deleted: Bool) -> String? {
        switch resource {
        case "namespaces": return deleted ? nil : key.name
        case "serviceaccounts": return deleted && key.name == serviceAccount ? key.namespace : nil
        case "configmaps": return key.name == rootCAConfigMap ? key.namespace : nil
        default: return nil
        }
    }

    /// Lists a resource, then forwards the namespaces its changes concern; relists when the watch expires.
    private func follow(_ resource: String, into continuation: AsyncStream<String>.Continuation) async {
        await handler.store.follow(
            resource, clock: clock, retryInterval: retryInterval, logger: logger, what: "Namespace defaults watch",
            listed: { objects, _ in
                if resource == "namespaces" { for object in objects { continuation.yield(object.key.name) } }
            },
            changed: { batch in
                for event in batch {
                    if let namespace = Self.concerned(resource, key: event.key, deleted: event.type == .deleted) {
                        continuation.yield(namespace)
                    }
                }
            })
    }

    /// Creates what `namespace` lacks and (unless `createOnly`) restores a changed CA; false when a write
    /// failed (to retry). The server runs it for its initial namespaces before it serves, creating only: on a
    /// store shared between servers the CA published is that of the server holding the collector's lease.
    func ensure(_ namespace: String, createOnly: Bool = false) async -> Bool {
        do {
            let nsKey = StorageKey(resource: "namespaces", namespace: "", name: namespace)
            guard let ns = try await handler.store.get(nsKey), ns.object.value(at: ["metadata", "deletionTimestamp"]) == nil else { return true }
            try await ensureServiceAccount(namespace)
            if let rootCA { try await ensureRootCA(namespace, pem: rootCA, createOnly: createOnly) }
            return true
        } catch let e as APIError where [403, 404, 409, 422].contains(e.code) {
            // The namespace is going away, another writer was first, or a person made the ConfigMap
            // immutable: the next change says what to do.
            return true
        } catch {
            logger.warning("Could not write a namespace's default objects", metadata: ["namespace": "\(namespace)", "error": "\(error)"])
            return false
        }
    }

    private func ensureServiceAccount(_ namespace: String) async throws {
        let key = StorageKey(resource: "serviceaccounts", namespace: namespace, name: Self.serviceAccount)
        guard try await handler.store.get(key) == nil, let definition = handler.registry.definition(storageResource: "serviceaccounts") else { return }
        let body: JSONValue = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(Self.serviceAccount)]]
        try await ignoringExisting { _ = try await handler.create(definition, namespace: namespace, body: body, options: try Self.writeOptions()) }
    }

    private func ensureRootCA(_ namespace: String, pem: String, createOnly: Bool) async throws {
        guard let definition = handler.registry.definition(storageResource: "configmaps") else { return }
        let key = StorageKey(resource: "configmaps", namespace: namespace, name: Self.rootCAConfigMap)
        let data: JSONValue = ["ca.crt": .string(pem)]
        guard let current = try await handler.store.get(key) else {
            let body: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap", "data": data,
                "metadata": ["name": .string(Self.rootCAConfigMap), "annotations": ["kubernetes.io/description": .string(Self.description)]],
            ]
            try await ignoringExisting { _ = try await handler.create(definition, namespace: namespace, body: body, options: try Self.writeOptions()) }
            return
        }
        guard !createOnly, current.object["data"] != data || current.object.value(at: ["metadata", "annotations", "kubernetes.io/description"])?.stringValue != Self.description
        else { return }
        _ = try await handler.write(definition, namespace: namespace, name: Self.rootCAConfigMap, expectedRevision: nil, options: try Self.writeOptions()) { object in
            var o = object
            o["data"] = data
            o["binaryData"] = nil
            o.setValue(.string(Self.description), at: ["metadata", "annotations", "kubernetes.io/description"])
            return o
        }
    }

    private func ignoringExisting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as APIError where e.status.reason == StatusReason.alreadyExists {}
    }

    /// The options of these writes: kube-controller-manager's field manager, as a cluster shows it.
    static func writeOptions() throws -> WriteOptions {
        try WriteOptions(QueryParameters(["fieldManager": "kube-controller-manager"]))
    }
}
