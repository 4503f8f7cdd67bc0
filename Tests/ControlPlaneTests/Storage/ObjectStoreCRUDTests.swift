import ControlPlane
import Foundation
import KubernetesAPI
import Testing

@Suite("SQLiteObjectStore create, read, update, delete")
struct ObjectStoreCRUDTests {
    @Test func createTakesTheNextRevisionAndStampsResourceVersion() async throws {
        try await withStore { store in
            #expect(try await store.currentRevision() == 0)
            let a = try await store.create(configMapKey("a"), object: configMap("a", data: ["k": "v"]))
            let b = try await store.create(configMapKey("b"), object: configMap("b"))
            #expect(a.revision == 1)
            #expect(b.revision == 2)
            #expect(resourceVersion(a.object) == "1")
            #expect(resourceVersion(b.object) == "2")
            #expect(a.object["data"] == ["k": "v"])
            #expect(try await store.currentRevision() == 2)
            let fetched = try #require(try await store.get(configMapKey("a")))
            #expect(fetched == a)
        }
    }

    @Test func createAddsMetadataWhenMissing() async throws {
        try await withStore { store in
            let stored = try await store.create(configMapKey("bare"), object: ["kind": "ConfigMap"])
            #expect(stored.object == ["kind": "ConfigMap", "metadata": ["resourceVersion": "1"]])
        }
    }

    @Test(arguments: [JSONValue.array([1]), .string("x"), ["metadata": "not-an-object"]])
    func createRejectsValuesThatCannotCarryAResourceVersion(_ object: JSONValue) async throws {
        try await withStore { store in
            let error = await #expect(throws: StorageError.self) {
                try await store.create(configMapKey("bad"), object: object)
            }
            #expect(error?.code == .internalError)
            let revision = try await store.currentRevision()
            #expect(revision == 0)
        }
    }

    @Test func createOnATakenKeyFailsWithAlreadyExistsAndConsumesNoRevision() async throws {
        try await withStore { store in
            _ = try await store.create(configMapKey("a"), object: configMap("a"))
            let error = await #expect(throws: StorageError.self) {
                try await store.create(configMapKey("a"), object: configMap("a", data: ["x": "y"]))
            }
            #expect(error?.code == .alreadyExists)
            #expect(error?.key == configMapKey("a"))
            #expect(try await store.currentRevision() == 1)
            #expect(try await store.get(configMapKey("a"))?.object["data"] == [:])
        }
    }

    @Test func theSameNameInOtherNamespacesAndResourcesIsADifferentKey() async throws {
        try await withStore { store in
            _ = try await store.create(configMapKey("a", namespace: "one"), object: configMap("a"))
            _ = try await store.create(configMapKey("a", namespace: "two"), object: configMap("a"))
            _ = try await store.create(StorageKey(resource: "secrets", namespace: "one", name: "a"), object: ["kind": "Secret"])
            #expect(try await store.currentRevision() == 3)
        }
    }

    @Test func getOfAMissingKeyReturnsNil() async throws {
        try await withStore { store in
            let missing = try await store.get(configMapKey("missing"))
            #expect(missing == nil)
        }
    }

    @Test func updateAppliesTheTransformAtTheNextRevision() async throws {
        try await withStore { store in
            let created = try await store.create(configMapKey("a"), object: configMap("a"))
            let updated = try await store.update(configMapKey("a"), expectedRevision: created.revision) { current in
                #expect(current == created)
                var object = current.object
                object["data"] = ["k": "v2"]
                return object
            }
            #expect(updated.revision == 2)
            #expect(resourceVersion(updated.object) == "2")
            #expect(updated.object["data"] == ["k": "v2"])
            #expect(try await store.get(configMapKey("a")) == updated)
        }
    }

    @Test func updateWhoseTransformChangesNothingWritesNothing() async throws {
        try await withStore { store in
            let created = try await store.create(configMapKey("a"), object: configMap("a"))
            let same = try await store.update(configMapKey("a"), expectedRevision: nil) { $0.object }
            #expect(same == created)
            // A stale resourceVersion in the output is not a change: the store owns that field.
            let alsoSame = try await store.update(configMapKey("a"), expectedRevision: nil) { current in
                var object = current.object
                object.setValue("999", at: ["metadata", "resourceVersion"])
                return object
            }
            #expect(alsoSame == created)
            #expect(try await store.currentRevision() == 1)
        }
    }

    @Test func updateWithAStaleExpectedRevisionFailsWithConflict() async throws {
        try await withStore { store in
            _ = try await store.create(configMapKey("a"), object: configMap("a"))
            _ = try await store.update(configMapKey("a"), expectedRevision: 1) { _ in configMap("a", data: ["n": 1]) }
            let error = await #expect(throws: StorageError.self) {
                try await store.update(configMapKey("a"), expectedRevision: 1) { _ in configMap("a", data: ["n": 2]) }
            }
            #expect(error?.code == .conflict)
            #expect(try await store.get(configMapKey("a"))?.object["data"] == ["n": 1])
            #expect(try await store.currentRevision() == 2)
        }
    }

    @Test func updateOfAMissingKeyFailsWithNotFound() async throws {
        try await withStore { store in
            let error = await #expect(throws: StorageError.self) {
                try await store.update(configMapKey("missing"), expectedRevision: nil) { $0.object }
            }
            #expect(error?.code == .notFound)
        }
    }

    @Test func anErrorThrownByTheTransformPropagatesUnchangedAndWritesNothing() async throws {
        struct Rejected: Error, Equatable {}
        try await withStore { store in
            _ = try await store.create(configMapKey("a"), object: configMap("a"))
            await #expect(throws: Rejected()) {
                try await store.update(configMapKey("a"), expectedRevision: nil) { _ in throw Rejected() }
            }
            #expect(try await store.currentRevision() == 1)
        }
    }

    @Test func deleteReturnsTheObjectStampedWithTheDeletionRevision() async throws {
        try await withStore { store in
            _ = try await store.create(configMapKey("a"), object: configMap("a", data: ["k": "v"]))
            let deleted = try await store.delete(configMapKey("a"), expectedRevision: 1)
            #expect(deleted.revision == 2)
            #expect(resourceVersion(deleted.object) == "2")
            #expect(deleted.object["data"] == ["k": "v"])
            #expect(try await store.get(configMapKey("a")) == nil)
            // The name is free again.
            let again = try await store.create(configMapKey("a"), object: configMap("a"))
            #expect(again.revision == 3)
        }
    }

    @Test func deleteChecksExistenceAndExpectedRevision() async throws {
        try await withStore { store in
            let missing = await #expect(throws: StorageError.self) {
                try await store.delete(configMapKey("missing"), expectedRevision: nil)
            }
            #expect(missing?.code == .notFound)
            _ = try await store.create(configMapKey("a"), object: configMap("a"))
            let stale = await #expect(throws: StorageError.self) {
                try await store.delete(configMapKey("a"), expectedRevision: 7)
            }
            #expect(stale?.code == .conflict)
            #expect(try await store.get(configMapKey("a")) != nil)
        }
    }

    @Test func listSortsByNamespaceThenNameAndReportsTheSnapshotRevision() async throws {
        try await withStore { store in
            for (namespace, name) in [("b", "x"), ("a", "z"), ("a", "y"), ("b", "a"), ("", "cluster")] {
                _ = try await store.create(configMapKey(name, namespace: namespace), object: configMap(name, namespace: namespace))
            }
            _ = try await store.create(StorageKey(resource: "secrets", namespace: "a", name: "s"), object: ["kind": "Secret"])
            let all = try await store.list(resource: "configmaps", namespace: nil)
            #expect(all.objects.map(\.key.description) == [
                "configmaps/cluster", "configmaps/a/y", "configmaps/a/z", "configmaps/b/a", "configmaps/b/x",
            ])
            #expect(all.revision == 6)
            let inA = try await store.list(resource: "configmaps", namespace: "a")
            #expect(inA.objects.map(\.key.name) == ["y", "z"])
            #expect(inA.objects.map(\.revision) == [3, 2])
            #expect(inA.objects.allSatisfy { resourceVersion($0.object) == String($0.revision) })
            let none = try await store.list(resource: "widgets", namespace: nil)
            #expect(none.objects.isEmpty)
            #expect(none.revision == 6)
        }
    }
}
