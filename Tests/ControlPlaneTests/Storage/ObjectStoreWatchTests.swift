import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

@Suite("SQLiteObjectStore watch")
struct ObjectStoreWatchTests {
    @Test func aWatchReplaysHistoryAfterItsRevisionThenDeliversLiveEvents() async throws {
        try await withStore { store in
            for name in ["a", "b", "c", "d", "e"] {
                _ = try await store.create(configMapKey(name), object: configMap(name))
            }
            let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 2)
            let replayed = try await collect(watch, count: 3)
            #expect(replayed.map(\.revision) == [3, 4, 5])
            #expect(replayed.map(\.key.name) == ["c", "d", "e"])
            _ = try await store.update(configMapKey("a"), expectedRevision: nil) { _ in configMap("a", data: ["x": "1"]) }
            _ = try await store.delete(configMapKey("b"), expectedRevision: nil)
            let live = try await collect(watch, count: 2)
            #expect(live.map(\.revision) == [6, 7])
            #expect(live.map(\.type) == [.modified, .deleted])
            #expect(live[0].object["data"] == ["x": "1"])
            #expect(live[0].previous?["data"] == [:])
        }
    }

    @Test func replayPagesThroughLongHistory() async throws {
        try await withStore(SQLiteObjectStoreConfiguration(replayPageSize: 4)) { store in
            for index in 0..<23 {
                _ = try await store.create(configMapKey("cm\(index)"), object: configMap("cm\(index)"))
            }
            let events = try await collect(try await store.watch(resource: "configmaps", namespace: "default", after: 1), count: 22)
            #expect(events.map(\.revision) == Array(2...23))
        }
    }

    @Test func aWatchSeesOnlyItsResourceAndNamespace() async throws {
        try await withStore(SQLiteObjectStoreConfiguration(replayPageSize: 2)) { store in
            let inA = try await store.watch(resource: "configmaps", namespace: "a", after: 0)
            let allConfigMaps = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
            _ = try await store.create(configMapKey("one", namespace: "a"), object: configMap("one", namespace: "a"))
            _ = try await store.create(configMapKey("two", namespace: "b"), object: configMap("two", namespace: "b"))
            _ = try await store.create(StorageKey(resource: "secrets", namespace: "a", name: "s"), object: ["kind": "Secret"])
            _ = try await store.create(configMapKey("three", namespace: "a"), object: configMap("three", namespace: "a"))
            #expect(try await collect(inA, count: 2).map(\.revision) == [1, 4])
            #expect(try await collect(allConfigMaps, count: 3).map(\.revision) == [1, 2, 4])
            // The same filter applies to replayed history.
            let replayedInA = try await store.watch(resource: "configmaps", namespace: "a", after: 0)
            #expect(try await collect(replayedInA, count: 2).map(\.key.name) == ["one", "three"])
        }
    }

    /// Writers run while watchers start at arbitrary points; each watcher must see every revision after
    /// its start exactly once and in order, across the replay/live seam. Ordering, not durability, is
    /// under test, so commits skip the per-commit fsync and the test does not depend on the disk's speed.
    @Test(arguments: [1, 3, 64])
    func everyEventArrivesExactlyOnceInOrderAcrossTheReplaySeam(replayPageSize: Int) async throws {
        try await withStore(SQLiteObjectStoreConfiguration(durability: .processCrash, replayPageSize: replayPageSize)) { store in
            let writers = 8, perWriter = 60
            let total = expectedTotal(writers: writers, perWriter: perWriter)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<perWriter {
                            let key = configMapKey("w\(writer)-\(index % 7)")
                            if index < 7 {
                                _ = try await store.create(key, object: configMap(key.name))
                            } else if index % 5 == 0 {
                                _ = try await store.delete(key, expectedRevision: nil)
                                _ = try await store.create(key, object: configMap(key.name))
                            } else {
                                _ = try await store.update(key, expectedRevision: nil) { current in
                                    var object = current.object
                                    object.setValue(.int(Int64(index)), at: ["data", "i"])
                                    return object
                                }
                            }
                        }
                    }
                }
                for threshold in [0, total / 5, total / 2, (4 * total) / 5] {
                    try await waitUntil("revision \(threshold) reached") { try await store.currentRevision() >= threshold }
                    let start = try await store.list(resource: "configmaps", namespace: nil).revision
                    let watch = try await store.watch(resource: "configmaps", namespace: nil, after: start)
                    group.addTask {
                        // The first watcher waits for every write; when the whole suite shares two cores
                        // the writers alone took 25–30 s, so the bound is generous. A lost event still fails.
                        let events = try await collect(watch, count: Int(total - start), seconds: 120)
                        #expect(events.map(\.revision) == Array(stride(from: start + 1, through: total, by: 1)))
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func watchingFromACompactedRevisionFailsWithExpired() async throws {
        let configuration = SQLiteObjectStoreConfiguration(historyMinimumEvents: 5, historyMinimumAge: .zero, compactionInterval: 1)
        try await withStore(configuration) { store in
            for index in 0..<20 {
                _ = try await store.create(configMapKey("cm\(index)"), object: configMap("cm\(index)"))
            }
            #expect(try await store.oldestResumableRevision() == 15)
            let error = await #expect(throws: StorageError.self) {
                try await store.watch(resource: "configmaps", namespace: nil, after: 14)
            }
            #expect(error?.code == .expired(oldest: 15))
            #expect(error?.message == "too old resource version: 14 (16)")
            let retained = try await store.watch(resource: "configmaps", namespace: nil, after: 15)
            #expect(try await collect(retained, count: 5).map(\.revision) == [16, 17, 18, 19, 20])
        }
    }

    @Test func historyYoungerThanTheMinimumAgeIsKept() async throws {
        let clock = ManualWallClock()
        let configuration = SQLiteObjectStoreConfiguration(
            historyMinimumEvents: 0, historyMinimumAge: .seconds(300), compactionInterval: 1, now: { clock.now })
        try await withStore(configuration) { store in
            for index in 0..<10 {
                _ = try await store.create(configMapKey("cm\(index)"), object: configMap("cm\(index)"))
            }
            #expect(try await store.oldestResumableRevision() == 0)
            clock.advance(by: 299)
            _ = try await store.create(configMapKey("late"), object: configMap("late"))
            #expect(try await store.oldestResumableRevision() == 0)
            clock.advance(by: 2)
            _ = try await store.create(configMapKey("later"), object: configMap("later"))
            #expect(try await store.oldestResumableRevision() == 10)
            await #expect(throws: StorageError.self) {
                try await store.watch(resource: "configmaps", namespace: nil, after: 9)
            }
            let events = try await collect(try await store.watch(resource: "configmaps", namespace: nil, after: 10), count: 2)
            #expect(events.map(\.key.name) == ["late", "later"])
        }
    }

    @Test func aWatchWhoseReplayWasCompactedAwayEndsWithExpired() async throws {
        let configuration = SQLiteObjectStoreConfiguration(
            historyMinimumEvents: 2, historyMinimumAge: .zero, compactionInterval: 1_000_000, replayPageSize: 2)
        try await withStore(configuration) { store in
            for index in 0..<10 {
                _ = try await store.create(configMapKey("cm\(index)"), object: configMap("cm\(index)"))
            }
            let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
            var iterator = watch.makeAsyncIterator()
            #expect(try await iterator.next()?.revision == 1)
            #expect(try await iterator.next()?.revision == 2)
            try await store.compactHistory()
            let error = await #expect(throws: StorageError.self) { _ = try await iterator.next() }
            #expect(error?.code == .expired(oldest: 8))
        }
    }
}

/// Writers create 7 keys, then every fifth index deletes and re-creates (two revisions), else update (one).
private func expectedTotal(writers: Int, perWriter: Int) -> Int64 {
    let perWriterRevisions = (0..<perWriter).reduce(0) { sum, index in
        sum + (index < 7 ? 1 : (index % 5 == 0 ? 2 : 1))
    }
    return Int64(writers * perWriterRevisions)
}
