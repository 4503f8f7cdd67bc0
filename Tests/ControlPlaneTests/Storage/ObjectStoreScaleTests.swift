import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// Scale of the store itself: many watchers on one resource, large lists, bounded watcher memory.
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

    @Test func listingTenThousandObjectsReturnsThemAllSortedAndQuickly() async throws {
        try await withStore { store in
            try await createConfigMaps(store, count: 10_000, prefix: "item", namespaces: ["a", "b"])
            let clock = ContinuousClock()
            let started = clock.now
            let (objects, revision) = try await store.list(resource: "configmaps", namespace: nil)
            let elapsed = clock.now - started
            #expect(objects.count == 10_000)
            #expect(revision == 10_000)
            let keys = objects.map { [$0.key.namespace, $0.key.name] }
            #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(Set(objects.map(\.revision)).count == 10_000)
            // Generous for a debug build on a shared machine; a release build lists 10,000 in tens of ms.
            #expect(elapsed < .seconds(10), "listing 10,000 objects took \(elapsed)")
            let (inA, _) = try await store.list(resource: "configmaps", namespace: "a")
            #expect(inA.count == 5_000)
        }
    }

    /// A registered watcher costs a slot and an empty buffer, not a pre-allocated one; its buffer holds
    /// shared events, so a thousand watchers of a burst do not copy the objects a thousand times.
    @Test func idleWatchersCostLittleMemory() async throws {
        try await withStore { store in
            _ = try await store.create(configMapKey("warm"), object: configMap("warm"))
            let baseline = try residentBytes()
            var watches: [StorageWatch] = []
            for _ in 0..<5_000 { watches.append(try await store.watch(resource: "configmaps", namespace: nil, after: 1)) }
            let grown = try residentBytes() - baseline
            #expect(store.activeWatchCount == 5_000)
            print("storage memory per idle watcher: \(grown / 5_000) bytes")
            // Generous: other tests run alongside in this process and move its resident size too.
            #expect(grown / 5_000 < 64 * 1024, "each idle watcher costs \(grown / 5_000) bytes")
            withExtendedLifetime(watches) {}
        }
    }
}

/// Creates `count` ConfigMaps concurrently (64 at a time), spread over `namespaces`.
func createConfigMaps(
    _ store: SQLiteObjectStore, count: Int, prefix: String, namespaces: [String] = ["default"],
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

/// This process's resident set size (`VmRSS`), in bytes.
func residentBytes() throws -> Int {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kilobytes = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
    else { throw MeasurementError(what: "VmRSS in /proc/self/status") }
    return kilobytes * 1024
}

/// A measurement the test could not take.
struct MeasurementError: Error, CustomStringConvertible {
    var what: String
    var description: String { "could not read \(what)" }
}
