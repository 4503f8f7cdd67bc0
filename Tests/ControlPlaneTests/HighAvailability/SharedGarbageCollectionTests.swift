import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Synchronization
import Testing

/// Servers sharing a store elect one garbage collector; whichever server collects (and should two overlap
/// for a moment, around a change of holder), the outcome must be the one collector's.
@Suite("Garbage collection by several servers", .timeLimit(.minutes(3)))
struct SharedGarbageCollectionTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    @Test func twoServersCollectingOneEtcdReachTheOneCollectorOutcome() async throws {
        let etcd = try await SharedTestEtcd.shared.configuration()
        let log = CapturedLog()
        try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd); $0.logger = log.logger() }) { one in
            try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd); $0.logger = log.logger() }) { two in
                let servers = [APIClient(one), APIClient(two)]
                let policies = ["Background", "Foreground", "Orphan"]
                var owners: [JSONValue] = []
                let keeper = try await servers[0].post(Self.cms, Fixtures.configMap("keeper")).json
                for i in 0..<12 {
                    let owner = try await servers[i % 2].post(Self.cms, Fixtures.configMap("owner-\(i)")).json
                    owners.append(owner)
                    for j in 0..<3 {
                        let reply = try await servers[(i + j) % 2].post(Self.cms, GarbageCollectionTests.dependent("dep-\(i)-\(j)", owners: [owner]))
                        #expect(reply.status == 201)
                    }
                    // Owned also by the keeper, which stays: it must lose only the reference to the deleted owner.
                    #expect(try await servers[(i + 1) % 2].post(Self.cms, GarbageCollectionTests.dependent("both-\(i)", owners: [owner, keeper])).status == 201)
                }
                for i in 0..<12 {
                    let reply = try await servers[(i + 1) % 2].delete(Self.cms + "/owner-\(i)", body: ["propagationPolicy": .string(policies[i % 3])])
                    #expect(reply.status == 200)
                }
                try await waitUntil("both collectors to finish", timeout: .seconds(60), every: .milliseconds(100)) {
                    let items = try await servers[0].get(Self.cms).json["items"]?.arrayValue ?? []
                    let names = Set(items.compactMap { $0.value(at: ["metadata", "name"])?.stringValue })
                    return (0..<12).allSatisfy { i in
                        !names.contains("owner-\(i)") && (0..<3).allSatisfy { j in names.contains("dep-\(i)-\(j)") == (policies[i % 3] == "Orphan") }
                    }
                }
                for i in 0..<12 {
                    for j in 0..<3 where policies[i % 3] == "Orphan" {
                        let dependent = try await servers[j % 2].get(Self.cms + "/dep-\(i)-\(j)").json
                        #expect(dependent.value(at: ["metadata", "ownerReferences"]) == nil || dependent.value(at: ["metadata", "ownerReferences"]) == [])
                        #expect(dependent.value(at: ["metadata", "deletionTimestamp"]) == nil)
                    }
                }
                try await waitUntil("the shared dependents to keep only the keeper", timeout: .seconds(30), every: .milliseconds(100)) {
                    for i in 0..<12 {
                        let both = try await servers[i % 2].get(Self.cms + "/both-\(i)")
                        guard both.status == 200 else { return false }
                        let refs = both.json.value(at: ["metadata", "ownerReferences"])?.arrayValue?.compactMap { $0["name"]?.stringValue }
                        if refs != ["keeper"] { return false }
                    }
                    return true
                }
                #expect(try await servers[1].get(Self.cms + "/keeper").status == 200)
                #expect(!log.text.contains("Garbage collection gave up"))
            }
        }
    }

    @Test func aNamespaceDeletedThroughOneServerIsFinishedByTheOtherThatReleasesItsLastObject() async throws {
        let etcd = try await SharedTestEtcd.shared.configuration()
        try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd) }) { one in
            try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd) }) { two in
                let a = APIClient(one), b = APIClient(two)
                let path = "/api/v1/namespaces/tmp/configmaps"
                #expect(try await a.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "tmp"]]).status == 201)
                var held = Fixtures.configMap("held", namespace: "tmp")
                held.setValue(["example.com/hold"], at: ["metadata", "finalizers"])
                #expect(try await b.post(path, held).status == 201)
                for i in 0..<5 { #expect(try await [a, b][i % 2].post(path, Fixtures.configMap("plain-\(i)", namespace: "tmp")).status == 201) }
                #expect(try await a.delete("/api/v1/namespaces/tmp").status == 200)
                // Both servers refuse new content at once: the namespace is terminating in the shared store.
                #expect(try await b.post(path, Fixtures.configMap("late", namespace: "tmp")).status == 403)
                #expect(try await b.get(path).json["items"]?.arrayValue?.count == 1)
                _ = try await b.patch(path + "/held", ["metadata": ["finalizers": nil]])
                #expect(try await a.get(path + "/held").status == 404)
                #expect(try await a.get("/api/v1/namespaces/tmp").status == 404)
                #expect(try await b.get("/api/v1/namespaces/tmp").status == 404)
            }
        }
    }

    @Test func aDependentThatGainsALiveOwnerWhileBeingCollectedStays() async throws {
        // Between the collector's check of `child` (its only owner is gone) and its delete, another writer (a
        // second server's collector, or a client) gives it a live owner: the delete must not happen.
        let live = Mutex<JSONValue?>(nil)
        let made = Mutex<InterleavingStore?>(nil)
        let target = StorageKey(resource: "configmaps", namespace: "default", name: "child")
        try await withTestControlPlane(configure: { config in
            config.makeStore = { dir in
                let store = InterleavingStore(base: try SQLiteObjectStore(directory: URL(fileURLWithPath: dir)), key: target, beforeRead: 1) { object in
                    guard let owner = live.withLock({ $0 }) else { return object }
                    var o = object
                    let refs = (o.value(at: ["metadata", "ownerReferences"])?.arrayValue ?? []) + [GarbageCollectionTests.reference(to: owner)]
                    o.setValue(.array(refs), at: ["metadata", "ownerReferences"])
                    return o
                }
                made.withLock { $0 = store }
                return store
            }
        }) { plane in
            let client = APIClient(plane)
            let owner = try await client.post(Self.cms, Fixtures.configMap("owner")).json
            live.withLock { $0 = owner }
            var gone = Fixtures.configMap("gone")
            gone.setValue("00000000-0000-4000-8000-00000000dead", at: ["metadata", "uid"])
            #expect(try await client.post(Self.cms, GarbageCollectionTests.dependent("child", owners: [gone])).status == 201)
            // Only the collector reads `child` until it has read it three times (check, delete, check again);
            // a read of the test's own would take the place of the collector's.
            let store = try #require(made.withLock { $0 })
            try await waitUntil("the collector to read the dependent three times", timeout: .seconds(20)) { store.readCount >= 3 }
            try await waitUntil("the collector to drop the dangling reference", timeout: .seconds(20), every: .milliseconds(50)) {
                let child = try await client.get(Self.cms + "/child")
                guard child.status == 200 else { return true }
                return child.json.value(at: ["metadata", "ownerReferences"])?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["owner"]
            }
            let child = try await client.get(Self.cms + "/child")
            #expect(child.status == 200, "the collector deleted a dependent that had a live owner")
        }
    }
}

/// A store that, just before the `beforeRead`-th read (counted from 0) of `key`, changes the object with
/// `change` behind the reader's back: the window between a check and the write that follows it.
final class InterleavingStore: WrappingStore {
    let base: any ObjectStore
    let key: StorageKey
    let beforeRead: Int
    let change: @Sendable (JSONValue) -> JSONValue
    private let reads = Mutex(0)

    /// How often `key` was read so far.
    var readCount: Int { reads.withLock { $0 } }

    init(base: any ObjectStore, key: StorageKey, beforeRead: Int, change: @escaping @Sendable (JSONValue) -> JSONValue) {
        self.base = base
        self.key = key
        self.beforeRead = beforeRead
        self.change = change
    }

    func get(_ key: StorageKey) async throws -> StoredObject? {
        if key == self.key, reads.withLock({ n in defer { n += 1 }; return n }) == beforeRead {
            _ = try await base.update(key, expectedRevision: nil) { [change] in change($0.object) }
        }
        return try await base.get(key)
    }
    func close() async throws { try await base.close() }
}
