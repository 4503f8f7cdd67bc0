import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

struct ListTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    func seed(_ client: APIClient) async throws {
        _ = try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
        _ = try await client.post(Self.cms, Fixtures.configMap("a", labels: ["app": "web", "tier": "front"]))
        _ = try await client.post(Self.cms, Fixtures.configMap("b", labels: ["app": "web", "tier": "back"]))
        _ = try await client.post(Self.cms, Fixtures.configMap("c", labels: ["app": "db"]))
        _ = try await client.post("/api/v1/namespaces/other/configmaps", Fixtures.configMap("d", namespace: "other", labels: ["app": "web"]))
    }

    func names(_ list: JSONValue) -> [String] {
        list["items"]?.arrayValue?.compactMap { $0.value(at: ["metadata", "name"])?.stringValue } ?? []
    }

    @Test(arguments: TestStorage.allCases, [
        ("", ["a", "b", "c"]), ("?labelSelector=app%3Dweb", ["a", "b"]), ("?labelSelector=app%3Dweb,tier!%3Dfront", ["b"]),
        ("?labelSelector=app+in+(db,web),!tier", ["c"]), ("?labelSelector=tier", ["a", "b"]),
        ("?fieldSelector=metadata.name%3Db", ["b"]), ("?fieldSelector=metadata.name!%3Db", ["a", "c"]),
        ("?fieldSelector=metadata.namespace%3Dother", []),
    ])
    func selectorsFilterLists(_ storage: TestStorage, _ selection: (String, [String])) async throws {
        let (query, expected) = selection
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await seed(client)
            let reply = try await client.get(Self.cms + query)
            #expect(reply.status == 200)
            #expect(names(reply.json) == expected)
        }
    }

    @Test(arguments: TestStorage.allCases) func listCarriesKindAndTheStoreRevision(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage, ownEtcd: true) { plane in
            let client = APIClient(plane)
            try await seed(client)
            // Namespace `other` gets its default ServiceAccount, as in a cluster: the store's newest write is
            // that or the test's last one.
            let account = "/api/v1/namespaces/other/serviceaccounts/default"
            try await waitUntil("other's default ServiceAccount") { try await client.get(account).status == 200 }
            let list = try await client.get(Self.cms).json
            #expect(list["kind"] == "ConfigMapList")
            #expect(list["apiVersion"] == "v1")
            var writes: [Int64] = []
            for path in ["/api/v1/namespaces/other/configmaps/d", account] {
                writes.append(Int64(try await client.get(path).json.value(at: ["metadata", "resourceVersion"])?.stringValue ?? "") ?? -1)
            }
            #expect(list.value(at: ["metadata", "resourceVersion"]) == .string("\(writes.max() ?? -1)"))
        }
    }

    @Test(arguments: TestStorage.allCases) func allNamespacesListSpansNamespaces(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await seed(client)
            #expect(names(try await client.get("/api/v1/configmaps?labelSelector=app%3Dweb").json) == ["a", "b", "d"])
        }
    }

    @Test(arguments: TestStorage.allCases) func limitAndContinuePageThroughEverythingOnce(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await seed(client)
            let first = try await client.get("/api/v1/configmaps?limit=2").json
            #expect(names(first) == ["a", "b"])
            #expect(first.value(at: ["metadata", "remainingItemCount"]) == 2)
            let token = try #require(first.value(at: ["metadata", "continue"])?.stringValue)
            let second = try await client.get("/api/v1/configmaps?limit=2&continue=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)").json
            #expect(names(second) == ["c", "d"])
            #expect(second.value(at: ["metadata", "continue"]) == nil)
            #expect(try await client.get("/api/v1/configmaps?continue=garbage").status == 400)
        }
    }

    @Test(arguments: TestStorage.allCases) func badSelectorsAre400(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            for query in ["?fieldSelector=spec.foo%3Dx", "?labelSelector=a+in+b"] {
                let reply = try await client.get(Self.cms + query)
                #expect(reply.status == 400, "\(query)")
                #expect(reply.json["reason"] == "BadRequest")
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func tableListRendersRowsWithNamespaceMetadata(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await seed(client)
            let reply = try await client.get("/api/v1/configmaps", accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
            #expect(reply.json["kind"] == "Table")
            let rows = reply.json["rows"]?.arrayValue ?? []
            #expect(rows.count == 4)
            #expect(rows.last?.value(at: ["object", "metadata", "namespace"]) == "other")
            let one = try await client.get(Self.cms + "/a", accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
            #expect(one.json["rows"]?.arrayValue?.count == 1)
        }
    }
}

struct BuiltinKindsTests {
    @Test(arguments: TestStorage.allCases, [
        ("/api/v1/namespaces/default/services", ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"], "spec": ["ports": [["port": 80]]]] as JSONValue),
        ("/api/v1/namespaces/default/endpoints", ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "web"], "subsets": []] as JSONValue),
        ("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", ["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": ["name": "web-1"], "addressType": "IPv4", "endpoints": []] as JSONValue),
        ("/apis/apps/v1/namespaces/default/deployments", ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"], "spec": ["selector": ["matchLabels": ["a": "b"]]]] as JSONValue),
        ("/apis/coordination.k8s.io/v1/namespaces/default/leases", ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "leader"], "spec": ["holderIdentity": "me"]] as JSONValue),
        ("/api/v1/namespaces/default/events", ["apiVersion": "v1", "kind": "Event", "metadata": ["name": "e1"], "reason": "Created", "involvedObject": ["kind": "Widget", "name": "w1"]] as JSONValue),
        ("/apis/events.k8s.io/v1/namespaces/default/events", ["apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "e2"], "reason": "Created", "regarding": ["kind": "Widget", "name": "w1"]] as JSONValue),
    ])
    func builtInKindsSupportCreateGetListDelete(_ storage: TestStorage, _ kind: (String, JSONValue)) async throws {
        let (path, object) = kind
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let name = try #require(object.value(at: ["metadata", "name"])?.stringValue)
            let created = try await client.post(path, object)
            #expect(created.status == 201)
            #expect(try await client.get(path + "/" + name).status == 200)
            // In `default` the server keeps its own `kubernetes` Service, Endpoints and EndpointSlice too.
            let listed = try await client.get(path).json["items"]?.arrayValue?.compactMap { $0.value(at: ["metadata", "name"])?.stringValue }
            #expect(listed?.filter { $0 != "kubernetes" } == [name])
            #expect(try await client.delete(path + "/" + name).status == 200)
        }
    }

    @Test(arguments: TestStorage.allCases) func serviceAndDeploymentDefaults(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let svc = try await client.post(
                "/api/v1/namespaces/default/services", ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"], "spec": ["ports": [["port": 80]]]])
            #expect(svc.json.value(at: ["spec", "type"]) == "ClusterIP")
            #expect(svc.json.value(at: ["spec", "ports"]) == [["port": 80, "protocol": "TCP", "targetPort": 80]])
            let deploy = try await client.post(
                "/apis/apps/v1/namespaces/default/deployments", ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"], "spec": [:]])
            #expect(deploy.json.value(at: ["spec", "replicas"]) == 1)
            let status = try await client.patch("/apis/apps/v1/namespaces/default/deployments/web/status", ["status": ["readyReplicas": 1]])
            #expect(status.json.value(at: ["status", "readyReplicas"]) == 1)
        }
    }

    @Test(arguments: TestStorage.allCases) func kubectlProtobufCreateBodiesAreAccepted(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            // The exact bytes kubectl 1.32 sent for `create configmap cmx --from-literal=k=v`.
            let hex = "6b3873000a0f0a0276311209436f6e6669674d6170121d0a130a03636d7812001a0022002a0032003800420012060a016b1201761a002200"
            var bytes: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                bytes.append(UInt8(hex[index..<next], radix: 16)!)
                index = next
            }
            let client = APIClient(plane)
            let reply = try await client.send(
                .POST, "/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create&fieldValidation=Strict", body: Data(bytes),
                contentType: "application/vnd.kubernetes.protobuf", accept: "application/vnd.kubernetes.protobuf,application/json")
            #expect(reply.status == 201)
            #expect(reply.contentType == "application/json")
            #expect(reply.json["data"] == ["k": "v"])
            #expect(reply.json.value(at: ["metadata", "namespace"]) == "default")
            let garbage = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", body: Data([1, 2, 3]), contentType: "application/vnd.kubernetes.protobuf")
            #expect(garbage.status == 400)
            // A kind whose protobuf the server does not read: 415, and kubectl reports it.
            let leaseProto = try await client.send(.POST, "/apis/coordination.k8s.io/v1/namespaces/default/leases", body: Data(bytes), contentType: "application/vnd.kubernetes.protobuf")
            #expect(leaseProto.status == 415)
            // A body of another kind than the endpoint's: refused, not stored.
            let mismatched = try await client.send(.POST, "/apis/apps/v1/namespaces/default/deployments", body: Data(bytes), contentType: "application/vnd.kubernetes.protobuf")
            #expect(mismatched.status == 400)
            #expect(try await client.get("/apis/apps/v1/namespaces/default/deployments/cmx").status == 404)
        }
    }
}
