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
            hash: { object in
                // Stands for the content hash: any key beside `value` changes it.
                let extra = (object["data"]?.objectValue?.count ?? 0) > 1 ? "+more" : ""
                return object["data"]?["value"]?.stringValue.map { "hash-\($0)\(extra)" } ?? ""
            })
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

    @Test func aKeyAnotherManagerAddedIsRemovedSoTheRestoreHolds() async throws {
        try await Self.withConfigMaps { objects in
            _ = try await objects.apply(Self.replica("v1"), fieldManager: "concord", force: true)
            // Added by hand: a forced apply by `concord` alone would leave it, and the replica would differ forever.
            let edited = try await objects.patch(
                "flags", namespace: "shop", type: .merge, patch: ["data": ["extra": "added-by-hand"]], options: WriteOptions(fieldManager: "kubectl-edit"))
            let version = try #require(ReplicaContent.resourceVersion(of: edited))
            try await Self.apply(Self.replica("v1"), over: version, objects)
            let restored = try await objects.get("flags", namespace: "shop")
            #expect(restored["data"] == ["value": "v1"])
            #expect(restored["metadata"]?["annotations"]?[FederationAnnotation.contentHash] == "hash-v1")
            // In sync now: the next restore writes nothing more.
            let settled = try #require(ReplicaContent.resourceVersion(of: restored))
            try await Self.apply(Self.replica("v1"), over: settled, objects)
            #expect(ReplicaContent.resourceVersion(of: try await objects.get("flags", namespace: "shop")) == settled)
        }
    }

    @Test func aRestorePutsTheSourcesContentBackAndAnImmutableReplicaIsLeftUntouched() async throws {
        try await Self.withConfigMaps { objects in
            _ = try await objects.apply(Self.replica("v1"), fieldManager: "concord", force: true)
            _ = try await objects.patch("flags", namespace: "shop", type: .merge, patch: ["metadata": ["labels": ["team": "ops"]]], options: WriteOptions(fieldManager: "tooling"))
            let edited = try await objects.patch(
                "flags", namespace: "shop", type: .merge, patch: ["data": ["value": "edited", "extra": "added-by-hand"]], options: WriteOptions(fieldManager: "kubectl-edit"))
            try await ReplicaPrecondition.restore(edited, to: Self.replica("v2"), objects: objects, fieldManager: "concord")
            let restored = try await objects.get("flags", namespace: "shop")
            #expect(restored["data"] == ["value": "v2"])
            #expect(restored["metadata"]?["annotations"]?[FederationAnnotation.contentHash] == "hash-v2")
            #expect(restored["metadata"]?["labels"]?["team"] == "ops", "metadata the member's tooling added stays")
            // A person's change since the read is not overwritten.
            _ = try await objects.patch("flags", namespace: "shop", type: .merge, patch: ["data": ["value": "later"]], options: WriteOptions(fieldManager: "kubectl-edit"))
            await #expect(throws: ChangedSinceRead.self) { try await ReplicaPrecondition.restore(restored, to: Self.replica("v3"), objects: objects, fieldManager: "concord") }
            // An immutable replica refuses the restore, and nothing is written there (no event wakes the rule again).
            let frozen = try await objects.patch("flags", namespace: "shop", type: .merge, patch: ["immutable": true], options: WriteOptions(fieldManager: "kubectl-edit"))
            await #expect(throws: KubeAPIError.self) { try await ReplicaPrecondition.restore(frozen, to: Self.replica("v3"), objects: objects, fieldManager: "concord") }
            #expect(ReplicaContent.resourceVersion(of: try await objects.get("flags", namespace: "shop")) == ReplicaContent.resourceVersion(of: frozen))
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
