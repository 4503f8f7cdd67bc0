import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// A storage watch hands over everything that is ready at once, so a consumer writing to a network
/// connection pays one write per group of events rather than one per event.
@Suite("SQLiteObjectStore watch batches")
struct ObjectStoreWatchBatchTests {
    @Test func liveEventsThatArriveWhileTheConsumerIsBusyComeAsOneBatch() async throws {
        try await withStore { store in
            let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
            for index in 0..<5 { _ = try await store.create(configMapKey("cm\(index)"), object: configMap("cm\(index)")) }
            var batches = watch.batches.makeAsyncIterator()
            let batch = try await batches.next()
            #expect(batch?.map(\.revision) == [1, 2, 3, 4, 5])
            #expect(batch?.allSatisfy { $0.encodedObject != nil } == true)
        }
    }

    @Test func replayedHistoryComesPageByPageThenLiveEventsFollow() async throws {
        try await withStore(SQLiteObjectStoreConfiguration(replayPageSize: 4)) { store in
            for index in 0..<10 { _ = try await store.create(configMapKey("cm\(index)"), object: configMap("cm\(index)")) }
            let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
            var batches = watch.batches.makeAsyncIterator()
            var received: [[Int64]] = []
            for _ in 0..<3 { received.append(try await batches.next()?.map(\.revision) ?? []) }
            #expect(received == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]])
            _ = try await store.create(configMapKey("live"), object: configMap("live"))
            #expect(try await batches.next()?.map(\.revision) == [11])
        }
    }

    /// The stored bytes a watch may send as they are decode to exactly the event's object.
    @Test func everyEventCarriesItsObjectAsStored() async throws {
        try await withStore { store in
            let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
            _ = try await store.create(configMapKey("a"), object: configMap("a", data: ["k": "v"]))
            _ = try await store.update(configMapKey("a"), expectedRevision: nil) { _ in configMap("a", data: ["k": "w"]) }
            _ = try await store.delete(configMapKey("a"), expectedRevision: nil)
            let live = try await collect(watch, count: 3)
            let replayed = try await collect(try await store.watch(resource: "configmaps", namespace: nil, after: 0), count: 3)
            for event in live + replayed {
                let bytes = try #require(event.encodedObject)
                #expect(try JSONValue(parsing: bytes) == event.object)
            }
            #expect(live.map(\.type) == [.added, .modified, .deleted])
        }
    }
}
