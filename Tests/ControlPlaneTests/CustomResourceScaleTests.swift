import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// A CRD's `subresources.scale`: `/scale` serves an autoscaling/v1 Scale over the paths the CRD names, so
/// `kubectl scale` works on custom resources as on Deployments.
struct CustomResourceScaleTests {
    static let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    static let pools = "/apis/example.com/v1/namespaces/default/pools"

    static func crd(scale: JSONValue) -> JSONValue {
        [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "pools.example.com"],
            "spec": [
                "group": "example.com", "scope": "Namespaced",
                "names": ["plural": "pools", "singular": "pool", "kind": "Pool"],
                "versions": [[
                    "name": "v1", "served": true, "storage": true, "subresources": ["status": [:], "scale": scale],
                    "schema": [
                        "openAPIV3Schema": [
                            "type": "object",
                            "properties": [
                                "spec": ["type": "object", "properties": ["workers": ["type": "integer"], "selector": ["type": "string"]]],
                                "status": ["type": "object", "properties": ["available": ["type": "integer"]]],
                            ],
                        ]
                    ],
                ]],
            ],
        ]
    }

    static let paths: JSONValue = ["specReplicasPath": ".spec.workers", "statusReplicasPath": ".status.available", "labelSelectorPath": ".spec.selector"]

    static func pool(_ name: String, spec: JSONValue) -> JSONValue {
        ["apiVersion": "example.com/v1", "kind": "Pool", "metadata": ["name": .string(name)], "spec": spec]
    }

    @Test(arguments: TestStorage.allCases) func scaleReadsAndWritesThePathsTheCRDNames(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            #expect(try await client.post(Self.crds, Self.crd(scale: Self.paths)).status == 201)
            let resources = try await client.get("/apis/example.com/v1").json["resources"]?.arrayValue ?? []
            let scale = try #require(resources.first { $0["name"] == "pools/scale" })
            #expect(scale["kind"] == "Scale" && scale["group"] == "autoscaling" && scale["version"] == "v1")
            #expect(try await client.post(Self.pools, Self.pool("p1", spec: ["workers": 2, "selector": "app=p1"])).status == 201)
            #expect(try await client.patch(Self.pools + "/p1/status", ["status": ["available": 2]]).status == 200)
            let read = try await client.get(Self.pools + "/p1/scale")
            #expect(read.status == 200)
            #expect(read.json["apiVersion"] == "autoscaling/v1" && read.json["kind"] == "Scale")
            #expect(read.json.value(at: ["metadata", "name"]) == "p1")
            #expect(read.json.value(at: ["spec", "replicas"]) == 2)
            #expect(read.json.value(at: ["status", "replicas"]) == 2)
            #expect(read.json.value(at: ["status", "selector"]) == "app=p1")
            // What `kubectl scale` sends: a merge patch of the Scale.
            let scaled = try await client.patch(Self.pools + "/p1/scale", ["spec": ["replicas": 5]])
            #expect(scaled.status == 200)
            #expect(scaled.json.value(at: ["spec", "replicas"]) == 5)
            let pool = try await client.get(Self.pools + "/p1").json
            #expect(pool.value(at: ["spec", "workers"]) == 5)
            #expect(pool.value(at: ["metadata", "generation"]) == 2)
            #expect(try await client.patch(Self.pools + "/p1/scale", ["spec": ["replicas": -1]]).status == 422)
            // Replicas the object does not hold count as 0.
            #expect(try await client.post(Self.pools, Self.pool("empty", spec: [:])).status == 201)
            let empty = try await client.get(Self.pools + "/empty/scale").json
            #expect(empty.value(at: ["spec", "replicas"]) == 0)
            #expect(empty.value(at: ["status", "replicas"]) == 0)
            #expect(empty.value(at: ["status", "selector"]) == nil)
            // A CRD without the subresource serves none.
            try await Fixtures.installWidgets(client)
            #expect(try await client.post(Fixtures.widgets, Fixtures.widget("w1")).status == 201)
            #expect(try await client.get(Fixtures.widgets + "/w1/scale").status == 404)
        }
    }

    @Test func scalePathsAreCheckedAsKubeApiserverChecksThem() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let field = "spec.versions[0].subresources.scale."
            let cases: [(JSONValue, String, String)] = [
                (["specReplicasPath": ".status.workers", "statusReplicasPath": ".status.available"], "specReplicasPath", "should be a json path under .spec"),
                (["specReplicasPath": ".spec.workers"], "statusReplicasPath", "Required value"),
                (["specReplicasPath": ".spec.workers", "statusReplicasPath": ".status.available", "labelSelectorPath": ".metadata.x"], "labelSelectorPath",
                 "should be a json path under either .spec or .status"),
                (["specReplicasPath": ".spec.items[0]", "statusReplicasPath": ".status.available"], "specReplicasPath", "must be a simple json path starting with ."),
            ]
            for (scale, path, message) in cases {
                let reply = try await client.post(Self.crds, Self.crd(scale: scale))
                #expect(reply.status == 422, "\(scale)")
                let causes = reply.json.value(at: ["details", "causes"])?.arrayValue ?? []
                #expect(causes.contains { $0["field"]?.stringValue == field + path && ($0["message"]?.stringValue ?? "").contains(message) }, "\(causes)")
            }
        }
    }
}
