import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// Watch and history rules every ``ObjectStore`` keeps, on SQLite and etcd alike.
@Suite("ObjectStore watch contract on every backend")
struct StorageContractWatchTests {
    @Test(arguments: TestStorage.allCases)
    func aWatchSeesEveryLaterChangeOnceInOrderWithPreviousStates(_ backend: TestStorage) async throws {
        try await withStore(backend) { store in
            let start = try await store.currentRevision()
            let watch = try await store.watch(resource: "configmaps", namespace: "default", after: start)
            let a = try await store.create(configMapKey("a"), object: configMap("a"))
            _ = try await store.create(configMapKey("other", namespace: "elsewhere"), object: configMap("other", namespace: "elsewhere"))
            let b = try await store.update(configMapKey("a"), expectedRevision: nil) { old in
                var o = old.object
                o["data"] = ["k": "v"]
                return o
            }
            let c = try await store.delete(configMapKey("a"), expectedRevision: nil)
            let events = try await collect(watch, count: 3)
            #expect(events.map(\.type) == [.added, .modified, .deleted])
            #expect(events.map(\.revision) == [a.revision, b.revision, c.revision])
            #expect(events[0].object == a.object && events[0].previous == nil)
            #expect(events[1].object == b.object && events[1].previous == a.object)
            #expect(events[2].object == c.object && events[2].previous == b.object)
        }
    }

    @Test(arguments: TestStorage.allCases)
    func aWatchResumedFromARevisionReplaysOnlyLaterChanges(_ backend: TestStorage) async throws {
        try await withStore(backend) { store in
            var revisions: [Int64] = []
            for i in 0..<5 { revisions.append(try await store.create(configMapKey("c\(i)"), object: configMap("c\(i)")).revision) }
            let watch = try await store.watch(resource: "configmaps", namespace: nil, after: revisions[2])
            let events = try await collect(watch, count: 2)
            #expect(events.map(\.revision) == [revisions[3], revisions[4]])
            #expect(events.map(\.key.name) == ["c3", "c4"])
        }
    }

    @Test(arguments: TestStorage.allCases)
    func aResumePointBelowCompactedHistoryIsExpired(_ backend: TestStorage) async throws {
        try await withStore(backend, compacts: true) { store in
            let first = try await store.create(configMapKey("a"), object: configMap("a"))
            for i in 0..<3 {
                _ = try await store.update(configMapKey("a"), expectedRevision: nil) { old in
                    var o = old.object
                    o["data"] = ["i": .int(Int64(i))]
                    return o
                }
            }
            try await compactNow(store)
            let error = await storageError {
                let watch = try await store.watch(resource: "configmaps", namespace: nil, after: first.revision - 1)
                _ = try await collect(watch, count: 1)
            }
            #expect(isExpired(error), "a watch from before the compaction must be expired, got \(String(describing: error))")
        }
    }
}
