import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// DeleteOptions read from the request body, where kubectl and client-go send them: `dryRun: [All]`
/// deletes nothing (one object, a collection, a namespace), and a deletion that starts bumps a
/// generation the object tracks.
struct DeleteOptionsBodyTests {
    static let configMaps = "/api/v1/namespaces/default/configmaps"

    static func configMap(_ name: String, finalizers: [String] = []) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "labels": ["app": "x"]]
        if !finalizers.isEmpty { metadata["finalizers"] = .array(finalizers.map(JSONValue.string)) }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": ["k": "v"]]
    }

    @Test(arguments: TestStorage.allCases) func aDryRunInTheBodyDeletesNothing(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            #expect(try await client.post(Self.configMaps, Self.configMap("a")).status == 201)
            #expect(try await client.post(Self.configMaps, Self.configMap("b")).status == 201)
            // What kubectl delete --dry-run=server sends.
            let one = try await client.delete(Self.configMaps + "/a", body: ["propagationPolicy": "Background", "dryRun": ["All"]])
            #expect(one.status == 200)
            #expect(try await client.get(Self.configMaps + "/a").status == 200)
            let all = try await client.delete(Self.configMaps + "?labelSelector=app%3Dx", body: ["dryRun": ["All"]])
            #expect(all.status == 200)
            #expect(all.json["items"]?.arrayValue?.count == 2)
            #expect(try await client.get(Self.configMaps).json["items"]?.arrayValue?.count == 2)
            #expect(try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "keep"]]).status == 201)
            #expect(try await client.post("/api/v1/namespaces/keep/configmaps", Self.configMap("c")).status == 201)
            #expect(try await client.delete("/api/v1/namespaces/keep", body: ["dryRun": ["All"]]).status == 200)
            let namespace = try await client.get("/api/v1/namespaces/keep").json
            #expect(namespace.value(at: ["metadata", "deletionTimestamp"]) == nil)
            #expect(namespace.value(at: ["status", "phase"]) == "Active")
            #expect(try await client.get("/api/v1/namespaces/keep/configmaps/c").status == 200)
            // Only All is a dry run; anything else is refused, as kube-apiserver validates DeleteOptions.
            let bad = try await client.delete(Self.configMaps + "/a", body: ["dryRun": ["Some"]])
            #expect(bad.status == 422)
            #expect(try await client.get(Self.configMaps + "/a").status == 200)
            // Without it, the deletion happens.
            #expect(try await client.delete(Self.configMaps + "/a", body: ["dryRun": []]).status == 200)
            #expect(try await client.get(Self.configMaps + "/a").status == 404)
        }
    }

    /// Namespaces have no deletecollection in kube-apiserver: discovery does not list it and the DELETE is 405.
    @Test func namespacesCannotBeDeletedAsACollection() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let resources = try await client.get("/api/v1").json["resources"]?.arrayValue ?? []
            let namespaces = try #require(resources.first { $0["name"] == "namespaces" })
            #expect(namespaces["verbs"] == ["create", "delete", "get", "list", "patch", "update", "watch"])
            let all = try await client.delete("/api/v1/namespaces", body: nil)
            #expect(all.status == 405)
            #expect(all.json["reason"] == "MethodNotAllowed")
            #expect(try await client.get("/api/v1/namespaces/default").status == 200)
        }
    }

    /// A PUT to a missing Role creates it (201), as kube-apiserver allows for the RBAC kinds, Leases,
    /// Endpoints and Events; a ConfigMap's is 404.
    @Test func aPutCreatesTheKindsKubeApiserverCreatesOnUpdate() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let role: JSONValue = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "reader"], "rules": []]
            let created = try await client.put("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles/reader", role)
            #expect(created.status == 201)
            #expect(created.json.value(at: ["metadata", "uid"]) != nil)
            #expect(try await client.put("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles/reader", created.json).status == 200)
            #expect(try await client.put(Self.configMaps + "/none", Self.configMap("none")).status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases) func aDeletionThatStartsBumpsTheGeneration(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let path = "/apis/apps/v1/namespaces/default/deployments"
            var deployment = WorkloadSimulationTests.deployment("web", replicas: 1, app: "web")
            deployment.setValue(["example.com/hold"], at: ["metadata", "finalizers"])
            let created = try await client.post(path, deployment)
            #expect(created.status == 201)
            let generation = try #require(created.json.value(at: ["metadata", "generation"])?.intValue)
            let deleting = try await client.delete(path + "/web")
            #expect(deleting.json.value(at: ["metadata", "deletionTimestamp"]) != nil)
            #expect(deleting.json.value(at: ["metadata", "generation"])?.intValue == generation + 1)
            // Deleting again changes nothing more.
            #expect(try await client.delete(path + "/web").json.value(at: ["metadata", "generation"])?.intValue == generation + 1)
            #expect(try await client.patch(path + "/web", ["metadata": ["finalizers": nil]]).status == 200)
        }
    }
}
