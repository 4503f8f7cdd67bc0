import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// Several control planes serving one etcd, as kube-apiserver replicas do.
@Suite("Control planes sharing one etcd")
struct SharedEtcdServerTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    @Test func everyServerSeesEveryWriteAndServesCRDsInstalledElsewhere() async throws {
        let etcd = try await SharedTestEtcd.shared.configuration()
        try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd) }) { one in
            try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd) }) { two in
                let a = APIClient(one), b = APIClient(two)
                let listed = try await b.get(Self.cms)
                let rv = try #require(listed.json.value(at: ["metadata", "resourceVersion"])?.stringValue)
                let stream = try await b.watch(Self.cms + "?watch=true&resourceVersion=\(rv)")
                var events = stream.makeAsyncIterator()
                let created = try await a.post(Self.cms, Fixtures.configMap("shared"))
                #expect(created.status == 201)
                let createdRV = try #require(created.json.value(at: ["metadata", "resourceVersion"])?.stringValue)
                let patched = try await b.patch(Self.cms + "/shared", ["data": ["k": "from-two"]])
                #expect(patched.status == 200)
                let added = try #require(try await events.next())
                #expect(added["type"] == "ADDED" && added.value(at: ["object", "metadata", "resourceVersion"])?.stringValue == createdRV)
                let modified = try #require(try await events.next())
                #expect(modified["type"] == "MODIFIED" && modified.value(at: ["object", "data", "k"]) == "from-two")
                // A stale resourceVersion is a conflict on either server.
                var stale = Fixtures.configMap("shared")
                stale.setValue(.string(createdRV), at: ["metadata", "resourceVersion"])
                #expect(try await a.put(Self.cms + "/shared", stale).status == 409)
                // Both servers bootstrapped the same namespaces once.
                #expect(try await b.get("/api/v1/namespaces/default").status == 200)
                try await Fixtures.installWidgets(a)
                try await waitUntil("the second server to serve a CRD installed through the first", timeout: .seconds(10)) {
                    try await b.get(Fixtures.widgets).status == 200
                }
                #expect(try await b.post(Fixtures.widgets, Fixtures.widget("w1")).status == 201)
            }
        }
    }

    @Test func aContinueTokenReadsTheFirstPagesSnapshotAndExpiresWithCompaction() async throws {
        // Compaction is cluster-wide: this test gets an etcd of its own.
        let own = try await LocalEtcd.start()
        defer { own.stop() }
        let etcd = EtcdStorageConfiguration(endpoints: own.clientURLs, compactionInterval: .zero)
        try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd) }) { plane in
            let client = APIClient(plane)
            for name in ["a", "b", "c", "d"] { _ = try await client.post(Self.cms, Fixtures.configMap(name)) }
            let first = try await client.get(Self.cms + "?limit=2")
            let token = try #require(first.json.value(at: ["metadata", "continue"])?.stringValue)
            let firstRV = first.json.value(at: ["metadata", "resourceVersion"])
            _ = try await client.post(Self.cms, Fixtures.configMap("e"))
            _ = try await client.delete(Self.cms + "/d")
            let second = try await client.get(Self.cms + "?limit=2&continue=\(token)")
            #expect(second.status == 200)
            #expect(second.json.value(at: ["metadata", "resourceVersion"]) == firstRV)
            let names = second.json["items"]?.arrayValue?.compactMap { $0.value(at: ["metadata", "name"])?.stringValue }
            #expect(names == ["c", "d"])
            let store = try await EtcdObjectStore(configuration: etcd)
            try await store.compactHistory()
            try await store.close()
            let expired = try await client.get(Self.cms + "?limit=2&continue=\(token)")
            #expect(expired.status == 410)
            #expect(expired.json["reason"] == "Expired")
        }
    }

    @Test func anObjectOverEtcdsLimitIs413() async throws {
        let etcd = try await SharedTestEtcd.shared.configuration()
        try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd) }) { plane in
            // A Deployment: a ConfigMap that large is refused by validation first (1 MiB of data).
            var big = WorkloadSimulationTests.deployment("big", replicas: 1, app: "big")
            big.setValue([["name": "c", "image": "nginx", "args": [.string(String(repeating: "x", count: 1_600_000))]]], at: ["spec", "template", "spec", "containers"])
            let reply = try await APIClient(plane).post("/apis/apps/v1/namespaces/default/deployments", big)
            #expect(reply.status == 413)
            #expect(reply.json["reason"] == "RequestEntityTooLarge")
        }
    }
}
