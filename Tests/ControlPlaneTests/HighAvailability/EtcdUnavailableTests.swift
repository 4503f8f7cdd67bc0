import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// A server whose etcd cannot serve answers 503 ServiceUnavailable with `Retry-After` (so a client tries
/// another server) and is not ready, and recovers when etcd does.
@Suite("A server that lost etcd", .serialized, .timeLimit(.minutes(3)))
struct EtcdUnavailableTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    @Test func everyEndpointUnreachableGives503AndNotReady() async throws {
        let own = try await LocalEtcd.start()
        defer { own.stop() }
        let etcd = EtcdStorageConfiguration(endpoints: own.clientURLs, compactionInterval: .zero, requestTimeout: .seconds(3))
        try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd) }) { plane in
            let client = APIClient(plane)
            #expect(try await client.post(Self.cms, Fixtures.configMap("before")).status == 201)
            #expect(try await client.get("/readyz").status == 200)
            own.kill(member: 0)
            try await waitUntil("the server to answer 503 without etcd", timeout: .seconds(20), every: .milliseconds(100)) {
                try await client.get(Self.cms).status == 503
            }
            try await Self.expectUnavailable(client)
            try own.restart(member: 0)
            try await waitUntil("the server to be ready again", timeout: .seconds(30), every: .milliseconds(100)) {
                try await client.get("/readyz").status == 200
            }
            #expect(try await client.post(Self.cms, Fixtures.configMap("after")).status == 201)
        }
    }

    @Test func aMajorityLostGives503AndNotReady() async throws {
        let cluster = try await LocalEtcd.start(members: 3)
        defer { cluster.stop() }
        let etcd = EtcdStorageConfiguration(endpoints: cluster.clientURLs, compactionInterval: .zero, requestTimeout: .seconds(3))
        try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd) }) { plane in
            let client = APIClient(plane)
            #expect(try await client.post(Self.cms, Fixtures.configMap("before")).status == 201)
            // Two of three gone: the member left has no leader and refuses every request.
            cluster.kill(member: 1)
            cluster.kill(member: 2)
            try await waitUntil("the server to answer 503 without an etcd leader", timeout: .seconds(30), every: .milliseconds(200)) {
                try await client.get(Self.cms).status == 503
            }
            try await Self.expectUnavailable(client)
            try cluster.restart(member: 1)
            try await waitUntil("the server to be ready again", timeout: .seconds(30), every: .milliseconds(200)) {
                try await client.get("/readyz").status == 200
            }
            #expect(try await client.post(Self.cms, Fixtures.configMap("after")).status == 201)
        }
    }

    /// Reads and writes get kube-apiserver's 503 Status with Retry-After; `/readyz` fails, `/livez` does not.
    static func expectUnavailable(_ client: APIClient) async throws {
        let read = try await client.get(cms)
        #expect(read.status == 503)
        #expect(read.headers.first(name: "retry-after") == "1")
        #expect(read.json["kind"] == "Status")
        #expect(read.json["reason"] == "ServiceUnavailable")
        #expect(read.json["code"] == 503)
        #expect(read.json.value(at: ["details", "retryAfterSeconds"]) == 1)
        let write = try await client.post(cms, Fixtures.configMap("during"))
        #expect(write.status == 503)
        #expect(write.json["reason"] == "ServiceUnavailable")
        #expect(write.headers.first(name: "retry-after") == "1")
        let ready = try await client.get("/readyz")
        #expect(ready.status == 500)
        #expect(ready.text.contains("[-]storage failed"))
        #expect(try await client.get("/livez").status == 200)
    }
}
