import AsyncHTTPClient
import ConcordTesting
import Foundation
import KubernetesAPI
import Synchronization
import Testing

@testable import ControlPlane

struct WatchTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    @Test(arguments: TestStorage.allCases) func watchFromNothingSendsCurrentObjectsThenLiveChanges(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let stream = try await client.watch(Self.cms + "?watch=true")
            #expect(stream.status == 200)
            var events = stream.makeAsyncIterator()
            let first = try #require(try await events.next())
            #expect(first["type"] == "ADDED")
            #expect(first.value(at: ["object", "metadata", "name"]) == "a")
            _ = try await client.patch(Self.cms + "/a", ["data": ["k": "2"]])
            let second = try #require(try await events.next())
            #expect(second["type"] == "MODIFIED")
            #expect(second.value(at: ["object", "data", "k"]) == "2")
            _ = try await client.delete(Self.cms + "/a")
            let third = try #require(try await events.next())
            #expect(third["type"] == "DELETED")
        }
    }

    @Test(arguments: TestStorage.allCases) func resumeSendsOnlyEventsAfterTheResourceVersion(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let listRV = try #require(try await client.get(Self.cms).json.value(at: ["metadata", "resourceVersion"])?.stringValue)
            _ = try await client.post(Self.cms, Fixtures.configMap("b"))
            var events = try await client.watch(Self.cms + "?watch=1&resourceVersion=\(listRV)").makeAsyncIterator()
            let first = try #require(try await events.next())
            #expect(first["type"] == "ADDED")
            #expect(first.value(at: ["object", "metadata", "name"]) == "b")
            let rv = Int64(first.value(at: ["object", "metadata", "resourceVersion"])?.stringValue ?? "") ?? 0
            #expect(rv > Int64(listRV)!)
        }
    }

    @Test(arguments: TestStorage.allCases) func resumePointOlderThanHistoryGetsError410InsideA200Stream(_ storage: TestStorage) async throws {
        let box = StoreBox()
        try await withTestControlPlane(storage: storage, ownEtcd: true, configure: { config in
            switch storage {
            case .sqlite:
                config.makeStore = { dir in
                    try SQLiteObjectStore(
                        directory: URL(fileURLWithPath: dir),
                        configuration: SQLiteObjectStoreConfiguration(historyMinimumEvents: 1, historyMinimumAge: .zero, compactionInterval: 1))
                }
            case .etcd:
                let open = config.makeStore ?? storage.makeStore()
                config.makeStore = { dir in
                    let store = try await open(dir)
                    box.set(store)
                    return store
                }
            }
        }) { plane in
            let client = APIClient(plane)
            for i in 0..<5 { _ = try await client.post(Self.cms, Fixtures.configMap("c\(i)")) }
            // SQLite compacts as it writes (every write, here); etcd's history goes when it is compacted.
            if let etcd = box.store as? EtcdObjectStore { try await etcd.compactHistory() }
            let stream = try await client.watch(Self.cms + "?watch=true&resourceVersion=1")
            #expect(stream.status == 200)
            var events = stream.makeAsyncIterator()
            let event = try #require(try await events.next())
            #expect(event["type"] == "ERROR")
            #expect(event.value(at: ["object", "kind"]) == "Status")
            #expect(event.value(at: ["object", "code"]) == 410)
            #expect(event.value(at: ["object", "reason"]) == "Expired")
            #expect(event.value(at: ["object", "message"])?.stringValue?.hasPrefix("too old resource version: 1 (") == true)
            #expect(try await events.next() == nil)
        }
    }

    @Test(arguments: TestStorage.allCases) func bookmarksAreSentOnlyWhenAllowed(_ storage: TestStorage) async throws {
        let clock = ManualClock()
        try await withTestControlPlane(storage: storage, ownEtcd: true, configure: { $0.clock = clock }) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let rv = try #require(try await client.get(Self.cms).json.value(at: ["metadata", "resourceVersion"])?.stringValue)
            var allowed = try await client.watch(Self.cms + "?watch=true&allowWatchBookmarks=true&resourceVersion=\(rv)").makeAsyncIterator()
            try await clock.waitForSleepers(1 + storage.serverSleepers)
            clock.advance(by: .seconds(10))
            let bookmark = try #require(try await allowed.next())
            #expect(bookmark["type"] == "BOOKMARK")
            #expect(bookmark["object"] == ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["resourceVersion": .string(rv)]])

            var plain = try await client.watch(Self.cms + "?watch=true&resourceVersion=\(rv)").makeAsyncIterator()
            clock.advance(by: .seconds(60))
            _ = try await client.post(Self.cms, Fixtures.configMap("b"))
            let next = try #require(try await plain.next())
            #expect(next["type"] == "ADDED")
        }
    }

    @Test(arguments: TestStorage.allCases) func labelFilteredWatchSeesObjectsEnterAndLeaveTheSelection(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a", labels: ["app": "x"]))
            _ = try await client.post(Self.cms, Fixtures.configMap("other"))
            var events = try await client.watch(Self.cms + "?watch=true&labelSelector=app%3Dx").makeAsyncIterator()
            #expect(try await events.next()?["type"] == "ADDED")
            let relabelled = try await client.patch(Self.cms + "/a", ["metadata": ["labels": ["app": "y"]]]).json
            let left = try #require(try await events.next())
            #expect(left["type"] == "DELETED")
            // As kube-apiserver's watch cache sends it: the object as it was (it matched), at the change's resourceVersion.
            #expect(left.value(at: ["object", "metadata", "labels", "app"]) == "x")
            #expect(left.value(at: ["object", "metadata", "resourceVersion"]) == relabelled.value(at: ["metadata", "resourceVersion"]))
            _ = try await client.patch(Self.cms + "/other", ["data": ["k": "ignored"]])
            _ = try await client.patch(Self.cms + "/a", ["metadata": ["labels": ["app": "x"]]])
            let back = try #require(try await events.next())
            #expect(back["type"] == "ADDED")
            #expect(back.value(at: ["object", "metadata", "name"]) == "a")
        }
    }

    @Test(arguments: TestStorage.allCases) func fieldSelectorWatchFollowsOneObject(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            _ = try await client.post(Self.cms, Fixtures.configMap("b"))
            var events = try await client.watch(Self.cms + "?watch=true&fieldSelector=metadata.name%3Db").makeAsyncIterator()
            let first = try #require(try await events.next())
            #expect(first.value(at: ["object", "metadata", "name"]) == "b")
            _ = try await client.patch(Self.cms + "/a", ["data": ["k": "1"]])
            _ = try await client.patch(Self.cms + "/b", ["data": ["k": "2"]])
            let second = try #require(try await events.next())
            #expect(second["type"] == "MODIFIED")
            #expect(second.value(at: ["object", "metadata", "name"]) == "b")
        }
    }

    @Test(arguments: TestStorage.allCases) func timeoutSecondsClosesTheStreamCleanly(_ storage: TestStorage) async throws {
        let clock = ManualClock()
        try await withTestControlPlane(storage: storage, ownEtcd: true, configure: { $0.clock = clock }) { plane in
            let client = APIClient(plane)
            var events = try await client.watch(Self.cms + "?watch=true&timeoutSeconds=30&resourceVersion=1").makeAsyncIterator()
            try await clock.waitForSleepers(1 + storage.serverSleepers)
            clock.advance(by: .seconds(30))
            #expect(try await events.next() == nil)
        }
    }

    @Test(arguments: TestStorage.allCases) func tableWatchSendsOneRowTablesWithColumnsFirst(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            var events = try await client.watch(Self.cms + "?watch=true", accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
                .makeAsyncIterator()
            let first = try #require(try await events.next())
            #expect(first.value(at: ["object", "kind"]) == "Table")
            #expect(first.value(at: ["object", "columnDefinitions"])?.arrayValue?.count == 3)
            #expect(first.value(at: ["object", "rows"])?.arrayValue?.first?["cells"]?.arrayValue?.first == "a")
            _ = try await client.patch(Self.cms + "/a", ["data": ["x": "y"]])
            let second = try #require(try await events.next())
            #expect(second.value(at: ["object", "rows"])?.arrayValue?.first?["cells"]?.arrayValue?[1] == 2)
        }
    }

    @Test(arguments: TestStorage.allCases) func customResourceWatchSeesStatusChanges(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            _ = try await client.post(Fixtures.widgets, Fixtures.widget("w1"))
            var events = try await client.watch(Fixtures.widgets + "?watch=true&fieldSelector=metadata.name%3Dw1").makeAsyncIterator()
            #expect(try await events.next()?["type"] == "ADDED")
            _ = try await client.patch(Fixtures.widgets + "/w1/status", ["status": ["conditions": [["type": "Ready", "status": "True"]]]])
            let modified = try #require(try await events.next())
            #expect(modified.value(at: ["object", "status", "conditions"]) == [["type": "Ready", "status": "True"]])
        }
    }

    @Test(arguments: TestStorage.allCases) func gracefulStopEndsOpenWatches(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            var events = try await client.watch(Self.cms + "?watch=true&resourceVersion=1").makeAsyncIterator()
            await plane.server.stop()
            #expect(try await events.next() == nil)
        }
    }
}

/// Holds the store a test control plane opened, so a test can look inside.
final class StoreBox: Sendable {
    private let box = Mutex<(any ObjectStore)?>(nil)
    func set(_ store: any ObjectStore) { box.withLock { $0 = store } }
    var store: (any ObjectStore)? { box.withLock { $0 } }
}

/// The storage watches `store` holds open, whichever backend it is.
func openWatches(_ store: any ObjectStore) -> Int {
    switch store {
    case let sqlite as SQLiteObjectStore: return sqlite.activeWatchCount
    case let etcd as EtcdObjectStore: return etcd.activeWatchCount
    default:
        Issue.record("no way to count the watches of \(type(of: store))")
        return -1
    }
}

extension TestStorage {
    /// Tasks of an idle test control plane that sleep on its clock: the `kubernetes` Service's 10 s check,
    /// and on etcd the garbage collector's Lease renewal.
    var serverSleepers: Int { self == .etcd ? 2 : 1 }
}

struct WatchClientDisconnectTests {
    @Test(arguments: TestStorage.allCases) func aClientThatGoesAwayReleasesItsStorageWatch(_ storage: TestStorage) async throws {
        let box = StoreBox()
        let open = storage.makeStore()
        try await withTestControlPlane(storage: storage, configure: { config in
            config.makeStore = { dir in
                let store = try await open(dir)
                box.set(store)
                return store
            }
        }) { plane in
            let store = try #require(box.store)
            let client = APIClient(plane)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var events = try await client.watch(WatchTests.cms + "?watch=true&resourceVersion=1").makeAsyncIterator()
                    _ = try await events.next()
                }
                try await waitUntil { openWatches(store) == ServerWatches.controllers(on: storage) + 1 }
                group.cancelAll()
            }
            try await waitUntil { openWatches(store) == ServerWatches.controllers(on: storage) }
        }
    }
}

/// The storage watches a running control plane holds for its own controllers (the garbage collector
/// follows every built-in resource, the RBAC follower the four RBAC resources, the namespace defaults
/// namespaces, ServiceAccounts and ConfigMaps), besides those of its clients' watches.
enum ServerWatches {
    static let controllers = Set(BuiltinResources.all.map(\.storageResource)).count + RBACPolicy.resources.count + 3

    /// The same on `storage`: a server on etcd also follows the CRDs other servers install.
    static func controllers(on storage: TestStorage) -> Int { controllers + (storage == .etcd ? 1 : 0) }
}

