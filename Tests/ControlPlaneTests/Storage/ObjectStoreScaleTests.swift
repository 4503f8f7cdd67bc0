import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// Scale of the store itself: many watchers on one resource, large lists. (Memory per idle watch is
/// measured by hack/bench/run.sh.)
@Suite("SQLiteObjectStore at scale")
struct ObjectStoreScaleTests {
    @Test func aThousandWatchersOnOneResourceEachReceiveEveryEventOfABurstInOrder() async throws {
        try await withStore { store in
            let watchers = 1_000, burst = 200
            let watches = try await withThrowingTaskGroup(of: StorageWatch.self) { group in
                for _ in 0..<watchers { group.addTask { try await store.watch(resource: "configmaps", namespace: nil, after: 0) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(store.activeWatchCount == watchers)
            let received = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for watch in watches {
                    group.addTask { try await collect(watch, count: burst, seconds: 120).map(\.revision) }
                }
                // The burst: concurrent creates, committed in groups.
                try await createConfigMaps(store, count: burst, prefix: "burst")
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(received.count == watchers)
            #expect(received.allSatisfy { $0 == Array(1...Int64(burst)) })
        }
    }

    @Test func listingTenThousandObjectsReturnsThemAllSorted() async throws {
        try await withStore { store in
            try await createConfigMaps(store, count: 10_000, prefix: "item", namespaces: ["a", "b"])
            let (objects, revision) = try await store.list(resource: "configmaps", namespace: nil)
            #expect(objects.count == 10_000)
            #expect(revision == 10_000)
            let keys = objects.map { [$0.key.namespace, $0.key.name] }
            #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(Set(objects.map(\.revision)).count == 10_000)
            let (inA, _) = try await store.list(resource: "configmaps", namespace: "a")
            #expect(inA.count == 5_000)
        }
    }
}

/// Creates `count` ConfigMaps concurrently (64 at a time), spread over `namespaces`.
func createConfigMaps(
    _ store: any ObjectStore, count: Int, prefix: String, namespaces: [String] = ["default"],
    data: [String: JSONValue] = [:]
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for index in 0..<count {
            if index >= 64 { try await group.next() }
            let namespace = namespaces[index % namespaces.count]
            let name = "\(prefix)-\(index)"
            group.addTask {
                _ = try await store.create(
                    configMapKey(name, namespace: namespace), object: configMap(name, namespace: namespace, data: data))
            }
        }
        try await group.waitForAll()
    }
}
