import ConcordTesting
import Foundation
import KubernetesAPI
import Synchronization
import Testing

@testable import ControlPlane

/// Two writers remove the last finalizers of an object being deleted at about the same time (a controller and
/// the garbage collector, say): the one whose removal of the object comes second still succeeded.
struct FinalizerRaceTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    @Test func anUpdateThatEmptiesTheFinalizersSucceedsWhenAnotherWriterRemovedTheObjectFirst() async throws {
        let target = StorageKey(resource: "configmaps", namespace: "default", name: "held")
        try await withTestControlPlane(configure: { config in
            config.makeStore = { dir in RacingRemovalStore(base: try SQLiteObjectStore(directory: URL(fileURLWithPath: dir)), key: target) }
        }) { plane in
            let client = APIClient(plane)
            var held = Fixtures.configMap("held")
            held.setValue(["example.com/a", "example.com/b"], at: ["metadata", "finalizers"])
            #expect(try await client.post(Self.cms, held).status == 201)
            #expect(try await client.delete(Self.cms + "/held").status == 200)
            let released = try await client.patch(Self.cms + "/held", ["metadata": ["finalizers": nil]])
            #expect(released.status == 200, "\(released.json)")
            #expect(released.json.value(at: ["metadata", "name"]) == "held")
            #expect(try await client.get(Self.cms + "/held").status == 404)
        }
    }
}

/// A store in which, right after an update leaves `key` being deleted without finalizers, another writer
/// removes it: the updater's own removal then finds it gone.
final class RacingRemovalStore: WrappingStore {
    let base: any ObjectStore
    let key: StorageKey

    init(base: any ObjectStore, key: StorageKey) {
        self.base = base
        self.key = key
    }

    func update(_ key: StorageKey, expectedRevision: Int64?, _ transform: @Sendable (StoredObject) throws -> JSONValue) async throws -> StoredObject {
        let stored = try await base.update(key, expectedRevision: expectedRevision, transform)
        if key == self.key, ObjectLifecycle.readyToRemove(stored.object) {
            _ = try await base.delete(key, expectedRevision: stored.revision)
        }
        return stored
    }
}
