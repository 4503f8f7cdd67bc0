import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// The contract every ``ObjectStore`` keeps, run against SQLite and etcd alike.
@Suite("ObjectStore contract on every backend")
struct StorageContractTests {
    @Test(arguments: TestStorage.allCases)
    func writesTakeIncreasingRevisionsStampedAsResourceVersion(_ backend: TestStorage) async throws {
        try await withStore(backend) { store in
            let a = try await store.create(configMapKey("a"), object: configMap("a", data: ["k": "v"]))
            let b = try await store.create(configMapKey("b"), object: configMap("b"))
            #expect(a.revision > 0 && b.revision > a.revision)
            #expect(resourceVersion(a.object) == String(a.revision))
            #expect(resourceVersion(b.object) == String(b.revision))
            #expect(try await store.get(configMapKey("a")) == a)
            #expect(try await store.currentRevision() >= b.revision)
            let bare = try await store.create(configMapKey("bare"), object: ["kind": "ConfigMap"])
            #expect(bare.object == ["kind": "ConfigMap", "metadata": ["resourceVersion": .string(String(bare.revision))]])
        }
    }

    @Test(arguments: TestStorage.allCases)
    func aTakenKeyIsAlreadyExistsAndKeepsItsObject(_ backend: TestStorage) async throws {
        try await withStore(backend) { store in
            let first = try await store.create(configMapKey("a"), object: configMap("a"))
            let error = await storageError { _ = try await store.create(configMapKey("a"), object: configMap("a", data: ["x": "y"])) }
            #expect(error?.code == .alreadyExists)
            #expect(try await store.get(configMapKey("a")) == first)
        }
    }

    @Test(arguments: TestStorage.allCases)
    func updatesAndDeletesCompareTheRevision(_ backend: TestStorage) async throws {
        try await withStore(backend) { store in
            let created = try await store.create(configMapKey("a"), object: configMap("a"))
            let updated = try await store.update(configMapKey("a"), expectedRevision: created.revision) { old in
                var o = old.object
                o["data"] = ["k": "1"]
                return o
            }
            #expect(updated.revision > created.revision && updated.object["data"] == ["k": "1"])
            let stale = await storageError { _ = try await store.update(configMapKey("a"), expectedRevision: created.revision) { $0.object } }
            #expect(stale?.code == .conflict)
            let unchanged = try await store.update(configMapKey("a"), expectedRevision: nil) { $0.object }
            #expect(unchanged == updated)
            let staleDelete = await storageError { _ = try await store.delete(configMapKey("a"), expectedRevision: created.revision) }
            #expect(staleDelete?.code == .conflict)
            let deleted = try await store.delete(configMapKey("a"), expectedRevision: updated.revision)
            #expect(deleted.revision > updated.revision && resourceVersion(deleted.object) == String(deleted.revision))
            #expect(try await store.get(configMapKey("a")) == nil)
            #expect(await storageError { _ = try await store.delete(configMapKey("a"), expectedRevision: nil) }?.code == .notFound)
            #expect(await storageError { _ = try await store.update(configMapKey("a"), expectedRevision: nil) { $0.object } }?.code == .notFound)
        }
    }

    @Test(arguments: TestStorage.allCases)
    func concurrentUnconditionalUpdatesAreAllApplied(_ backend: TestStorage) async throws {
        try await withStore(backend) { store in
            _ = try await store.create(configMapKey("counter"), object: configMap("counter", data: ["n": 0]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        _ = try await store.update(configMapKey("counter"), expectedRevision: nil) { old in
                            var o = old.object
                            o["data"] = ["n": .int((old.object.value(at: ["data", "n"])?.intValue ?? 0) + 1)]
                            return o
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.get(configMapKey("counter"))?.object.value(at: ["data", "n"]) == 20)
        }
    }

    @Test(arguments: TestStorage.allCases)
    func listsAreOrderedByNamespaceThenNameAndFilteredByNamespace(_ backend: TestStorage) async throws {
        try await withStore(backend) { store in
            for (ns, name) in [("a-b", "x"), ("a", "z"), ("a", "y"), ("b", "w")] {
                _ = try await store.create(configMapKey(name, namespace: ns), object: configMap(name, namespace: ns))
            }
            _ = try await store.create(StorageKey(resource: "secrets", namespace: "a", name: "s"), object: ["kind": "Secret"])
            let all = try await store.list(resource: "configmaps", namespace: nil)
            #expect(all.objects.map { "\($0.key.namespace)/\($0.key.name)" } == ["a/y", "a/z", "a-b/x", "b/w"])
            #expect(all.objects.allSatisfy { $0.revision <= all.revision })
            let inA = try await store.list(resource: "configmaps", namespace: "a")
            #expect(inA.objects.map(\.key.name) == ["y", "z"])
        }
    }

    @Test(arguments: TestStorage.allCases)
    func createInNamespaceNeedsALiveNamespace(_ backend: TestStorage) async throws {
        try await withStore(backend) { store in
            let missing = await #expect(throws: NamespaceUnavailable.self) {
                _ = try await store.create(configMapKey("a", namespace: "nope"), object: configMap("a", namespace: "nope"), inNamespace: "nope")
            }
            #expect(missing?.terminating == false)
            let nsKey = StorageKey(resource: "namespaces", namespace: "", name: "ending")
            _ = try await store.create(nsKey, object: ["kind": "Namespace", "metadata": ["name": "ending", "deletionTimestamp": "2026-01-01T00:00:00Z"]])
            let ending = await #expect(throws: NamespaceUnavailable.self) {
                _ = try await store.create(configMapKey("a", namespace: "ending"), object: configMap("a", namespace: "ending"), inNamespace: "ending")
            }
            #expect(ending?.terminating == true)
            _ = try await store.create(StorageKey(resource: "namespaces", namespace: "", name: "live"), object: ["kind": "Namespace"])
            let created = try await store.create(configMapKey("a", namespace: "live"), object: configMap("a", namespace: "live"), inNamespace: "live")
            #expect(created.key.namespace == "live")
        }
    }
}
