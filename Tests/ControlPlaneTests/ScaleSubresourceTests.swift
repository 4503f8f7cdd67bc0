import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// Deployments serve `/scale` (autoscaling/v1 Scale), as `kubectl scale` needs.
struct ScaleSubresourceTests {
    static let path = "/apis/apps/v1/namespaces/default/deployments"

    @Test(arguments: TestStorage.allCases) func scaleReadsAndWritesSpecReplicasOnly(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            #expect(try await client.post(Self.path, WorkloadSimulationTests.deployment("web", replicas: 3, app: "web")).status == 201)
            let scale = try await client.get(Self.path + "/web/scale").json
            #expect(scale["kind"] == "Scale")
            #expect(scale["apiVersion"] == "autoscaling/v1")
            #expect(scale.value(at: ["spec", "replicas"]) == 3)
            #expect(scale.value(at: ["status", "selector"]) == "app=web")
            let patched = try await client.patch(Self.path + "/web/scale", ["spec": ["replicas": 5]])
            #expect(patched.status == 200)
            #expect(patched.json.value(at: ["spec", "replicas"]) == 5)
            let web = try await client.get(Self.path + "/web").json
            #expect(web.value(at: ["spec", "replicas"]) == 5)
            #expect(web.value(at: ["metadata", "generation"]) == 2)
            #expect(web.value(at: ["spec", "template", "metadata", "labels", "app"]) == "web")
        }
    }

    @Test(arguments: TestStorage.allCases) func staleOrNegativeScalesAreRefused(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            #expect(try await client.post(Self.path, WorkloadSimulationTests.deployment("web", replicas: 1, app: "web")).status == 201)
            var scale = try await client.get(Self.path + "/web/scale").json
            #expect(try await client.patch(Self.path + "/web", ["metadata": ["labels": ["bump": "1"]]]).status == 200)
            scale.setValue(2, at: ["spec", "replicas"])
            #expect(try await client.put(Self.path + "/web/scale", scale).status == 409)
            let negative = try await client.patch(Self.path + "/web/scale", ["spec": ["replicas": -1]])
            #expect(negative.status == 422)
            #expect(negative.json["message"] == #"Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#)
            #expect(try await client.get("/apis/apps/v1/namespaces/default/configmaps/x/scale").status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases) func discoveryListsTheScaleSubresource(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let list = try await APIClient(plane).get("/apis/apps/v1").json
            let names = list["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names.contains("deployments/scale"))
        }
    }
}
