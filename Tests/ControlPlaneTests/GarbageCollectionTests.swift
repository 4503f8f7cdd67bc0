import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// Deletion propagation and ownerReference garbage collection.
struct GarbageCollectionTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    /// A ConfigMap owned by the object `owner` (uid taken from it).
    static func dependent(_ name: String, owners: [JSONValue], block: Bool = true) -> JSONValue {
        var cm = Fixtures.configMap(name)
        cm.setValue(.array(owners.map { reference(to: $0, block: block) }), at: ["metadata", "ownerReferences"])
        return cm
    }

    /// An ownerReference to `owner`.
    static func reference(to owner: JSONValue, block: Bool = true) -> JSONValue {
        [
            "apiVersion": owner["apiVersion"] ?? "v1", "kind": owner["kind"] ?? "ConfigMap",
            "name": owner.value(at: ["metadata", "name"]) ?? "", "uid": owner.value(at: ["metadata", "uid"]) ?? "",
            "blockOwnerDeletion": .bool(block),
        ]
    }

    func exists(_ client: APIClient, _ name: String) async throws -> Bool {
        let status = try await client.get(Self.cms + "/" + name).status
        #expect(status == 200 || status == 404)
        return status == 200
    }

    @Test(arguments: TestStorage.allCases) func backgroundDeletionRemovesTheOwnerAtOnceThenItsDependents(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let owner = try await client.post(Self.cms, Fixtures.configMap("owner")).json
            #expect(try await client.post(Self.cms, Self.dependent("child", owners: [owner])).status == 201)
            let grandchild = try await client.get(Self.cms + "/child").json
            #expect(try await client.post(Self.cms, Self.dependent("grandchild", owners: [grandchild])).status == 201)
            let deleted = try await client.delete(Self.cms + "/owner")
            #expect(deleted.status == 200)
            let ownerLeft = try await exists(client, "owner")
            #expect(!ownerLeft)
            try await waitUntil {
                let child = try await exists(client, "child"), grandchild = try await exists(client, "grandchild")
                return !child && !grandchild
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func foregroundDeletionKeepsTheOwnerUntilBlockingDependentsAreGone(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let owner = try await client.post(Self.cms, Fixtures.configMap("owner")).json
            // The dependent has a finalizer of its own, so it (and therefore the owner) stays until released.
            var held = Self.dependent("held", owners: [owner])
            held.setValue(["example.com/hold"], at: ["metadata", "finalizers"])
            #expect(try await client.post(Self.cms, held).status == 201)
            let reply = try await client.delete(Self.cms + "/owner", body: ["propagationPolicy": "Foreground"])
            #expect(reply.status == 200)
            #expect(reply.json.value(at: ["metadata", "finalizers"]) == ["foregroundDeletion"])
            #expect(reply.json.value(at: ["metadata", "deletionTimestamp"]) != nil)
            // The collector deletes the dependent in the foreground; it stays while its own finalizer holds it.
            try await waitUntil {
                try await client.get(Self.cms + "/held").json.value(at: ["metadata", "deletionTimestamp"]) != nil
            }
            #expect(try await exists(client, "owner"))
            let released = try await client.patch(Self.cms + "/held", ["metadata": ["finalizers": nil]])
            #expect(released.status == 200, "releasing held: \(released.json)")
            try await waitUntil {
                let held = try await exists(client, "held"), owner = try await exists(client, "owner")
                return !held && !owner
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func foregroundDeletionWithoutDependentsRemovesTheOwner(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("lonely"))
            #expect(try await client.send(.DELETE, Self.cms + "/lonely?propagationPolicy=Foreground").status == 200)
            try await waitUntil { try await !exists(client, "lonely") }
        }
    }

    @Test(arguments: TestStorage.allCases) func orphanDeletionDropsTheReferencesAndKeepsTheDependents(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let owner = try await client.post(Self.cms, Fixtures.configMap("owner")).json
            let other = try await client.post(Self.cms, Fixtures.configMap("other")).json
            #expect(try await client.post(Self.cms, Self.dependent("child", owners: [owner, other])).status == 201)
            let reply = try await client.delete(Self.cms + "/owner", body: ["propagationPolicy": "Orphan"])
            #expect(reply.json.value(at: ["metadata", "finalizers"]) == ["orphan"])
            try await waitUntil { try await !exists(client, "owner") }
            let child = try await client.get(Self.cms + "/child").json
            #expect(child.value(at: ["metadata", "ownerReferences"])?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["other"])
        }
    }

    @Test(arguments: TestStorage.allCases) func aDependentWhoseOwnerUIDMatchesNothingIsCollected(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let owner = try await client.post(Self.cms, Fixtures.configMap("owner")).json
            var impostor = owner
            impostor.setValue("00000000-0000-4000-8000-000000000000", at: ["metadata", "uid"])
            #expect(try await client.post(Self.cms, Self.dependent("stale", owners: [impostor])).status == 201)
            #expect(try await client.post(Self.cms, Self.dependent("kept", owners: [owner])).status == 201)
            try await waitUntil { try await !exists(client, "stale") }
            #expect(try await exists(client, "kept"))
            #expect(try await exists(client, "owner"))
        }
    }

    @Test(arguments: TestStorage.allCases) func aDependentWithOneLiveOwnerLosesOnlyTheDanglingReference(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let a = try await client.post(Self.cms, Fixtures.configMap("a")).json
            let b = try await client.post(Self.cms, Fixtures.configMap("b")).json
            #expect(try await client.post(Self.cms, Self.dependent("shared", owners: [a, b])).status == 201)
            #expect(try await client.delete(Self.cms + "/a").status == 200)
            try await waitUntil {
                try await client.get(Self.cms + "/shared").json.value(at: ["metadata", "ownerReferences"])?.arrayValue?.count == 1
            }
            #expect(try await exists(client, "shared"))
        }
    }

    @Test(arguments: TestStorage.allCases) func dependentsOrphanedWhileTheServerWasDownAreCollectedOnRestart(_ storage: TestStorage) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("concord-gc-\(UUID().uuidString)").path
        defer { TemporaryFiles.remove(directory) }
        let open = try await storage.lastingStore()
        try await withTestControlPlane(storage: storage, configure: { $0.dataDirectory = directory; $0.makeStore = open }) { plane in
            let client = APIClient(plane)
            let owner = try await client.post(Self.cms, Fixtures.configMap("owner")).json
            #expect(try await client.post(Self.cms, Self.dependent("child", owners: [owner])).status == 201)
        }
        // Remove the owner behind the server's back: no collector sees it go.
        let store = try await open(directory)
        _ = try await store.delete(StorageKey(resource: "configmaps", namespace: "default", name: "owner"), expectedRevision: nil)
        try await store.close()
        try await withTestControlPlane(storage: storage, configure: { $0.dataDirectory = directory; $0.makeStore = open }) { plane in
            let client = APIClient(plane)
            try await waitUntil { try await !exists(client, "child") }
        }
    }

    @Test(arguments: TestStorage.allCases) func dependentsOfCustomResourcesGoWithThemEvenWhenTheirCRDIsDeleted(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let first = try await client.post(Fixtures.widgets, Fixtures.widget("w1")).json
            let second = try await client.post(Fixtures.widgets, Fixtures.widget("w2")).json
            #expect(try await client.post(Self.cms, Self.dependent("of-w1", owners: [first])).status == 201)
            #expect(try await client.post(Self.cms, Self.dependent("of-w2", owners: [second])).status == 201)
            // Deleting the custom resource collects its dependent.
            #expect(try await client.delete(Fixtures.widgets + "/w1").status == 200)
            try await waitUntil("of-w1 collected after its owner w1 was deleted") { try await !exists(client, "of-w1") }
            // Deleting the CRD deletes w2, and w2's dependent although its kind is no longer served.
            #expect(try await client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").status == 200)
            try await waitUntil("of-w2 collected after the CRD (and with it w2) was deleted") { try await !exists(client, "of-w2") }
        }
    }

    @Test(arguments: TestStorage.allCases) func invalidPropagationPolicyIs422(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("x"))
            let reply = try await client.delete(Self.cms + "/x", body: ["propagationPolicy": "Sideways"])
            #expect(reply.status == 422)
            #expect(
                reply.json["message"]
                    == #"DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil""#)
            #expect(try await exists(client, "x"))
        }
    }

    typealias Row = (name: String, owners: [OwnerState], expected: DependentAction)

    static let decisions: [Row] = [
        ("no owners: keep", [], .keep),
        ("live owner: keep", [.solid], .keep),
        ("all owners gone: delete", [.dangling, .dangling], .delete(foreground: false)),
        ("owner waits for dependents: foreground delete", [.waitingForDependents], .delete(foreground: true)),
        ("gone and waiting: foreground delete", [.dangling, .waitingForDependents], .delete(foreground: true)),
        ("live and gone: drop the gone one", [.solid, .dangling], .updateReferences(remove: ["u1"], unblock: [])),
        ("live and waiting: unblock the waiting one", [.solid, .waitingForDependents], .updateReferences(remove: [], unblock: ["u1"])),
        ("unserved kind counts as live", [.unresolvable, .dangling], .updateReferences(remove: ["u1"], unblock: [])),
    ]

    @Test(arguments: decisions)
    func dependentDecisions(row: Row) {
        let owners = row.owners.enumerated().map { index, state in
            (ref: OwnerRef(apiVersion: "v1", kind: "ConfigMap", name: "o\(index)", uid: "u\(index)", blockOwnerDeletion: true), state: state)
        }
        #expect(DependentAction.decide(owners) == row.expected, "\(row.name)")
    }
}
