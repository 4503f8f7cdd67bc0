import ConcordTesting
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Testing

/// What a deleted ServiceFailover left in a member that was away during its deletion (its global
/// Service and slices, copies scaled to 0) is removed once the controller sees it; a copy still
/// running replicas, with its Service copy, is kept, as a deletion keeps it.
@Suite(.serialized) struct ServiceFailoverLeftoverTests {
    typealias Setup = FailoverTestSetup

    @Test func leftoversOfADeletedServiceFailoverAreRemovedButAServingCopyIsKept() async throws {
        let labels = ["us-east": ["tier": "web"], "us-west": ["tier": "web"]]
        try await Setup.withFederation(["us-east", "us-west"], labels: labels) { f in
            try await Setup.deploy("web", replicas: 1, in: f.members["us-east"]!)
            let failovers = f.hub.resource(ServiceFailover.self)
            _ = try await failovers.create(ServiceFailover(metadata: ObjectMeta(name: "web", namespace: "shop"), spec: ActiveActiveControllerTests.web(replicas: 6)), namespace: "shop")
            try await waitUntil("4/2", timeout: .seconds(30)) { try await ActiveActiveControllerTests.placement(f) == ["us-east": "4", "us-west": "2"] }

            // What ServiceFailovers `gone` and `kept` (both deleted while us-west was away) left there.
            let west = f.members["us-west"]!
            let services = west.dynamic(GroupVersionResource(group: "", version: "v1", resource: "services"), namespaced: true, kind: "Service")
            let slices = west.dynamic(GroupVersionResource(group: "discovery.k8s.io", version: "v1", resource: "endpointslices"), namespaced: true, kind: "EndpointSlice")
            let deployments = west.dynamic(GroupVersionResource(group: "apps", version: "v1", resource: "deployments"), namespaced: true, kind: "Deployment")
            func labels(_ owner: String, _ more: [String: JSONValue] = [:]) -> JSONValue {
                .object(["federation.concord.dev/managed": "true", "federation.concord.dev/service-failover": .string(owner)].merging(more) { $1 })
            }
            let stamp: JSONValue = ["federation.concord.dev/source-datacenter": "us-east"]
            func globalService(_ name: String, owner: String) -> JSONValue {
                ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "labels": labels(owner)], "spec": ["ports": [["port": 80]]]]
            }
            func copy(_ name: String, owner: String, replicas: Int) -> JSONValue {
                [
                    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "labels": labels(owner), "annotations": stamp],
                    "spec": [
                        "replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
                        "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "app", "image": "example/app:1"]]]],
                    ],
                ]
            }
            func serviceCopy(_ name: String, owner: String) -> JSONValue {
                [
                    "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "labels": labels(owner), "annotations": stamp],
                    "spec": ["selector": ["app": .string(name)], "ports": [["port": 80]]],
                ]
            }
            _ = try await services.create(globalService("old-global", owner: "gone"), namespace: "shop")
            _ = try await slices.create([
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": [
                    "name": "old-global-us-east",
                    "labels": labels("gone", ["endpointslice.kubernetes.io/managed-by": "federation.concord.dev", "kubernetes.io/service-name": "old-global"]),
                ],
                "addressType": "IPv4", "endpoints": [["addresses": ["10.0.0.1"]]], "ports": [["port": 80]],
            ], namespace: "shop")
            _ = try await deployments.create(copy("old", owner: "gone", replicas: 0), namespace: "shop")
            _ = try await services.create(serviceCopy("old", owner: "gone"), namespace: "shop")
            _ = try await deployments.create(copy("busy", owner: "kept", replicas: 1), namespace: "shop")
            _ = try await services.create(serviceCopy("busy", owner: "kept"), namespace: "shop")
            _ = try await services.create(globalService("busy-global", owner: "kept"), namespace: "shop")

            func exists(_ client: DynamicResourceClient, _ name: String) async throws -> Bool {
                do {
                    _ = try await client.get(name, namespace: "shop")
                    return true
                } catch let error as KubeAPIError where error.isNotFound { return false }
            }
            try await waitUntil("the leftovers of gone and kept's global Service removed", timeout: .seconds(20)) {
                var left: [Bool] = []
                for (client, name) in [(services, "old-global"), (slices, "old-global-us-east"), (deployments, "old"), (services, "old"), (services, "busy-global")] {
                    left.append(try await exists(client, name))
                }
                return !left.contains(true)
            }
            // The serving copy and the Service copy it serves through stay; so does everything of the live web.
            #expect(try await exists(deployments, "busy"))
            #expect(try await exists(services, "busy"))
            #expect(try await exists(services, "web-global"))
            #expect(try await ActiveActiveControllerTests.placement(f) == ["us-east": "4", "us-west": "2"])
            try await waitUntil("an event on Datacenter us-west names what was removed", timeout: .seconds(10)) {
                let notes = try await f.hub.resource(Event.self).list(namespace: "default").items
                    .filter { $0.reason == "LeftoversRemoved" && $0.regarding?.name == "us-west" }.compactMap(\.note)
                return notes.contains { $0.contains("ServiceFailover shop/gone") && $0.contains("Service old-global") && $0.contains("Deployment old") }
            }
        }
    }
}
