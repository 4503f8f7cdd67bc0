import ConcordTesting
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import Testing

@testable import FederationControllers

/// Replica updates apply only over the version the pass planned from: a person's change in between is
/// never overwritten unseen, while Concord's own newer write (not yet in the cache) is.
struct ReplicaPreconditionTests {
    static let rule = "shop/global-config"

    /// A stamped replica of ConfigMap `flags` with `value`, as the planner writes it.
    static func replica(_ value: String) -> JSONValue {
        let hash = "hash-\(value)"
        return [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "flags", "namespace": "shop", "annotations": [
                FederationAnnotation.rule: .string(rule), FederationAnnotation.contentHash: .string(hash),
            ]],
            "data": ["value": .string(value)],
        ]
    }

    static func withConfigMaps(_ body: (DynamicResourceClient) async throws -> Void) async throws {
        try await withTestControlPlane { plane in
            let client = try KubeClient(kubeconfigPath: plane.kubeconfigPath)
            _ = try await client.resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "shop")))
            try await body(client.dynamic(GroupVersionResource(group: "", version: "v1", resource: "configmaps"), namespaced: true, kind: "ConfigMap"))
            try await client.shutdown()
        }
    }

    static func apply(_ object: JSONValue, over version: String, _ objects: DynamicResourceClient) async throws {
        try await ReplicaPrecondition.apply(
            object, over: version, name: "flags", objects: objects, scope: "shop", fieldManager: "concord", logger: Logger(label: "test"),
            hash: { $0["data"]?["value"]?.stringValue.map { "hash-\($0)" } ?? "" })
    }

    @Test func aPersonsChangeSinceTheReadIsNotOverwritten() async throws {
        try await Self.withConfigMaps { objects in
            let read = try await objects.apply(Self.replica("v1"), fieldManager: "concord", force: true)
            let planned = try #require(ReplicaContent.resourceVersion(of: read))
            _ = try await objects.patch("flags", namespace: "shop", type: .merge, patch: ["data": ["value": "edited"]], options: WriteOptions(fieldManager: "kubectl-edit"))
            await #expect(throws: ChangedSinceRead.self) { try await Self.apply(Self.replica("v2"), over: planned, objects) }
            #expect(try await objects.get("flags", namespace: "shop")["data"]?["value"] == "edited")
        }
    }

    @Test func concordsOwnNewerWriteIsWrittenOver() async throws {
        try await Self.withConfigMaps { objects in
            let read = try await objects.apply(Self.replica("v1"), fieldManager: "concord", force: true)
            let planned = try #require(ReplicaContent.resourceVersion(of: read))
            _ = try await objects.apply(Self.replica("v2"), fieldManager: "concord", force: true)
            try await Self.apply(Self.replica("v3"), over: planned, objects)
            #expect(try await objects.get("flags", namespace: "shop")["data"]?["value"] == "v3")
        }
    }

    @Test func theVersionReadIsWrittenOverDirectly() async throws {
        try await Self.withConfigMaps { objects in
            let read = try await objects.apply(Self.replica("v1"), fieldManager: "concord", force: true)
            try await Self.apply(Self.replica("v2"), over: try #require(ReplicaContent.resourceVersion(of: read)), objects)
            #expect(try await objects.get("flags", namespace: "shop")["data"]?["value"] == "v2")
        }
    }

    @Test func aReplicaDeletedSinceTheReadIsCreatedAgain() async throws {
        try await Self.withConfigMaps { objects in
            let read = try await objects.apply(Self.replica("v1"), fieldManager: "concord", force: true)
            _ = try await objects.delete("flags", namespace: "shop")
            try await Self.apply(Self.replica("v2"), over: try #require(ReplicaContent.resourceVersion(of: read)), objects)
            #expect(try await objects.get("flags", namespace: "shop")["data"]?["value"] == "v2")
        }
    }
}
