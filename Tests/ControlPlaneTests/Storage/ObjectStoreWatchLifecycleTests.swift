import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

@Suite("SQLiteObjectStore watcher buffers, cancellation and shutdown")
struct ObjectStoreWatchLifecycleTests {
    @Test func aSlowWatcherOverflowsAndEndsWithExpiredWhileAFastOneGetsEverything() async throws {
        try await withStore(SQLiteObjectStoreConfiguration(watchBufferCapacity: 8)) { store in
            try await withDeadline(30, "overflow scenario") {
                let slow = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
                let fast = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
                var fastIterator = fast.makeAsyncIterator()
                var received: [Int64] = []
                for index in 0..<50 {
                    // Writes complete although the slow watcher never reads.
                    _ = try await store.create(configMapKey("cm\(index)"), object: configMap("cm\(index)"))
                    if let event = try await fastIterator.next() { received.append(event.revision) }
                }
                #expect(received == Array(1...50))
                #expect(store.activeWatchCount == 2)
                var slowIterator = slow.makeAsyncIterator()
                let error = await #expect(throws: StorageError.self) {
                    while try await slowIterator.next() != nil {}
                }
                #expect(error?.code == .expired(oldest: 0))
                #expect(store.activeWatchCount == 1)
                // The fast watcher is unaffected.
                _ = try await store.create(configMapKey("after"), object: configMap("after"))
                #expect(try await fastIterator.next()?.revision == 51)
            }
        }
    }

    @Test func cancellingAParkedConsumerEndsItAndRemovesTheWatcher() async throws {
        try await withStore { store in
            let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
            #expect(store.activeWatchCount == 1)
            let received = LockedBox(0)
            try await withDeadline(10, "consumer ends after cancellation") {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        for try await _ in watch { received.update { $0 += 1 } }
                        return received.value
                    }
                    _ = try await store.create(configMapKey("a"), object: configMap("a"))
                    // Once the event is consumed the consumer parks, waiting for the next one.
                    try await waitUntil("event consumed") { received.value == 1 }
                    group.cancelAll()
                    for try await count in group { #expect(count == 1) }
                }
            }
            try await waitUntil("watcher removed") { store.activeWatchCount == 0 }
            _ = try await store.create(configMapKey("b"), object: configMap("b"))
        }
    }

    @Test func droppingAnUnconsumedWatchRemovesTheWatcher() async throws {
        try await withStore { store in
            do {
                let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
                #expect(store.activeWatchCount == 1)
                withExtendedLifetime(watch) {}
            }
            try await waitUntil("watcher removed") { store.activeWatchCount == 0 }
        }
    }

    @Test func closingTheStoreEndsWatchesNormally() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteObjectStore(directory: directory.url)
        _ = try await store.create(configMapKey("a"), object: configMap("a"))
        let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
        let received = LockedBox<[Int64]>([])
        let revisions = try await withDeadline(10, "watch ends after close") {
            try await withThrowingTaskGroup(of: [Int64].self) { group in
                group.addTask {
                    for try await event in watch { received.update { $0.append(event.revision) } }
                    return received.value
                }
                try await waitUntil("history replayed") { received.value == [1] }
                try await store.close()
                return try await group.next() ?? []
            }
        }
        #expect(revisions == [1])
        #expect(store.activeWatchCount == 0)
    }

    @Test func closingDuringAReplayEndsTheWatchWithoutSkippingToLiveEvents() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteObjectStore(directory: directory.url, configuration: SQLiteObjectStoreConfiguration(replayPageSize: 1))
        for index in 0..<5 {
            _ = try await store.create(configMapKey("cm\(index)"), object: configMap("cm\(index)"))
        }
        let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
        // Live events 6 and 7 are buffered while history 1...5 is still to be replayed.
        _ = try await store.create(configMapKey("live1"), object: configMap("live1"))
        _ = try await store.create(configMapKey("live2"), object: configMap("live2"))
        let revisions = try await withDeadline(10, "watch ends after close") { () -> [Int64] in
            var iterator = watch.makeAsyncIterator()
            var revisions: [Int64] = []
            if let first = try await iterator.next() { revisions.append(first.revision) }
            try await store.close()
            while let event = try await iterator.next() { revisions.append(event.revision) }
            return revisions
        }
        #expect(revisions == [1])
        #expect(store.activeWatchCount == 0)
    }
}
