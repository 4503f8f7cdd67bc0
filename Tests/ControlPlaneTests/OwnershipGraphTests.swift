import KubernetesAPI
import Testing

@testable import ControlPlane

/// The collector's index: which changes cause which work.
struct OwnershipGraphTests {
    static let owner = StorageKey(resource: "configmaps", namespace: "default", name: "owner")
    static let child = StorageKey(resource: "configmaps", namespace: "default", name: "child")

    static func object(uid: String, owners: [String] = [], deleting finalizers: [String]? = nil) -> JSONValue {
        var o: JSONValue = ["metadata": ["uid": .string(uid)]]
        if !owners.isEmpty {
            o.setValue(.array(owners.map { ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": .string($0)] }), at: ["metadata", "ownerReferences"])
        }
        if let finalizers {
            o.setValue("2026-11-21T09:00:00Z", at: ["metadata", "deletionTimestamp"])
            o.setValue(.array(finalizers.map(JSONValue.string)), at: ["metadata", "finalizers"])
        }
        return o
    }

    func resolve(_ ref: OwnerRef, _ key: StorageKey) -> StorageKey? {
        StorageKey(resource: "configmaps", namespace: key.namespace, name: ref.name)
    }

    @Test func aNewReferenceIsVerifiedAndAnUnchangedOneIsNot() {
        var graph = OwnershipGraph()
        #expect(graph.upsert(Self.child, object: Self.object(uid: "c", owners: ["o"]), resolveOwner: resolve) == [.dependent(Self.child)])
        #expect(graph.upsert(Self.child, object: Self.object(uid: "c", owners: ["o"]), resolveOwner: resolve) == [])
        #expect(graph.dependents(of: "o") == [Self.child])
    }

    @Test func deletingAnOwnerVerifiesItsDependentsAndDeletingADependentRechecksItsOwner() {
        var graph = OwnershipGraph()
        _ = graph.upsert(Self.child, object: Self.object(uid: "c", owners: ["o"]), resolveOwner: resolve)
        #expect(graph.remove(Self.owner, object: Self.object(uid: "o"), resolveOwner: resolve) == [.dependent(Self.child)])
        #expect(graph.remove(Self.child, object: Self.object(uid: "c", owners: ["o"]), resolveOwner: resolve) == [.owner(Self.owner)])
        #expect(graph.dependents(of: "o").isEmpty)
        #expect(graph.count == 0)
    }

    @Test func droppingAReferenceRechecksTheOldOwner() {
        var graph = OwnershipGraph()
        _ = graph.upsert(Self.child, object: Self.object(uid: "c", owners: ["o"]), resolveOwner: resolve)
        #expect(graph.upsert(Self.child, object: Self.object(uid: "c"), resolveOwner: resolve) == [.owner(Self.owner)])
    }

    @Test(arguments: [
        (["foregroundDeletion"], true), (["orphan"], true), (["example.com/hold"], false), (nil, false),
    ] as [([String]?, Bool)])
    func ownersWaitingForTheCollectorAreQueued(finalizers: [String]?, queued: Bool) {
        var graph = OwnershipGraph()
        let work = graph.upsert(Self.owner, object: Self.object(uid: "o", deleting: finalizers), resolveOwner: resolve)
        #expect(work == (queued ? [.owner(Self.owner)] : []))
    }
}
