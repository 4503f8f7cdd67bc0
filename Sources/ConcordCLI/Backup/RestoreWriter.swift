import FederationAPI
import FederationControllers
import Foundation
import KubeClient

/// Writes archived objects into a cluster: their namespaces first, then each object created, or
/// replaced when it exists; `status` is written through the status subresource when asked.
struct RestoreWriter {
    let client: KubeClient
    /// Names the cluster in messages, such as `the hub` or `datacenter us-west`.
    let target: String
    private let kinds = ReplicatedKinds()
    private var namespaces: Set<String> = []

    init(client: KubeClient, target: String) {
        self.client = client
        self.target = target
    }

    /// Creates or replaces every object, in order. Returns how many were written.
    mutating func write(_ objects: [JSONValue], withStatus: Bool) async throws -> Int {
        for object in objects {
            try await write(object, withStatus: withStatus)
        }
        return objects.count
    }

    /// Creates or replaces one object.
    mutating func write(_ object: JSONValue, withStatus: Bool) async throws {
        let apiVersion = object["apiVersion"]?.stringValue ?? "", kind = object["kind"]?.stringValue ?? ""
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        let resolved = try await kinds.resolve(apiVersion: apiVersion, kind: kind, in: target, client: client)
        let namespace = resolved.namespaced ? object["metadata"]?["namespace"]?.stringValue : nil
        if let namespace { try await ensureNamespace(namespace) }
        let resource = client.dynamic(resolved.resource, namespaced: resolved.namespaced, kind: kind)
        var body = object
        body.setValue(nil, at: ["status"])
        var written: JSONValue
        do {
            written = try await resource.create(body, namespace: namespace)
        } catch let error as KubeAPIError where error.isAlreadyExists {
            let current = try await resource.get(name, namespace: namespace)
            body.setValue(current["metadata"]?["resourceVersion"], at: ["metadata", "resourceVersion"])
            written = try await resource.update(body)
        } catch {
            throw CLIError("cannot restore \(BackupReader.key(object)) into \(target): \(error)")
        }
        if withStatus, let status = object["status"], !status.isNull {
            written.setValue(status, at: ["status"])
            _ = try await resource.updateStatus(written)
        }
    }

    /// Creates the namespace unless it exists (or was created by this writer already).
    private mutating func ensureNamespace(_ name: String) async throws {
        guard !namespaces.contains(name) else { return }
        do {
            _ = try await client.resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: name)))
        } catch let error as KubeAPIError where error.isAlreadyExists {}
        namespaces.insert(name)
    }
}
