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
            let (services, slices, deployments) = Self.clients(west)
            try await Self.leaveGone(in: "shop", of: west)
            _ = try await deployments.create(Self.copy("busy", owner: "kept", replicas: 1), namespace: "shop")
            _ = try await services.create(Self.serviceCopy("busy", owner: "kept"), namespace: "shop")
            _ = try await services.create(Self.globalService("busy-global", owner: "kept"), namespace: "shop")

            try await waitUntil("the leftovers of gone and kept's global Service removed", timeout: .seconds(20)) {
                var left: [Bool] = []
                for (client, name) in [(services, "old-global"), (slices, "old-global-us-east"), (deployments, "old"), (services, "old"), (services, "busy-global")] {
                    left.append(try await Self.exists(client, name, in: "shop"))
                }
                return !left.contains(true)
            }
            // The serving copy and the Service copy it serves through stay; so does everything of the live web.
            #expect(try await Self.exists(deployments, "busy", in: "shop"))
            #expect(try await Self.exists(services, "busy", in: "shop"))
            #expect(try await Self.exists(services, "web-global", in: "shop"))
            #expect(try await ActiveActiveControllerTests.placement(f) == ["us-east": "4", "us-west": "2"])
            try await waitUntil("an event on Datacenter us-west names what was removed", timeout: .seconds(30)) {
                let notes = try await f.hub.resource(Event.self).list(namespace: "default").items
                    .filter { $0.reason == "LeftoversRemoved" && $0.regarding?.name == "us-west" }.compactMap(\.note)
                // A pass removes what the caches hold when it runs: the leftovers, created one by one,
                // may be found (and named) over two passes.
                let gone = notes.filter { $0.contains("ServiceFailover shop/gone") }.joined(separator: "\n")
                return gone.contains("Service old-global") && gone.contains("Deployment old")
            }
        }
    }

    /// A namespace no ServiceFailover was read in since the controller started (as after a restart,
    /// once the last ServiceFailover there was deleted while a member was away): its leftovers are
    /// found and removed too, and a serving copy is kept. The members serve no StatefulSets, whose
    /// leftover informer is then not started.
    @Test func leftoversInANamespaceNoServiceFailoverWasReadInAreRemoved() async throws {
        try await Setup.withFederation(["us-east", "us-west"]) { f in
            let west = f.members["us-west"]!
            _ = try await west.resource(Namespace.self).create(Namespace(name: "legacy"))
            let (services, slices, deployments) = Self.clients(west)
            try await Self.leaveGone(in: "legacy", of: west)
            _ = try await deployments.create(Self.copy("db", owner: "gone-db", replicas: 0), namespace: "legacy")
            _ = try await deployments.create(Self.copy("busy", owner: "kept", replicas: 1), namespace: "legacy")
            _ = try await services.create(Self.serviceCopy("busy", owner: "kept"), namespace: "legacy")
            // Not Concord's: the same name pattern without its labels stays.
            _ = try await services.create(["apiVersion": "v1", "kind": "Service", "metadata": ["name": "mine-global"], "spec": ["ports": [["port": 80]]]], namespace: "legacy")

            try await waitUntil("the leftovers in legacy removed", timeout: .seconds(20)) {
                for (client, name) in [(services, "old-global"), (slices, "old-global-us-east"), (deployments, "old"), (services, "old"), (deployments, "db")]
                where try await Self.exists(client, name, in: "legacy") { return false }
                return true
            }
            #expect(try await Self.exists(deployments, "busy", in: "legacy"))
            #expect(try await Self.exists(services, "busy", in: "legacy"))
            #expect(try await Self.exists(services, "mine-global", in: "legacy"))
            try await waitUntil("an event on Datacenter us-west names what was removed", timeout: .seconds(30)) {
                let notes = try await f.hub.resource(Event.self).list(namespace: "default").items
                    .filter { $0.reason == "LeftoversRemoved" && $0.regarding?.name == "us-west" }.compactMap(\.note)
                return notes.contains { $0.contains("ServiceFailover legacy/") }
            }
        }
    }

    /// Leaves in `member`'s `namespace` what ServiceFailover `gone` of Service `old` would: its global
    /// Service `old-global` with an EndpointSlice, and a Deployment copy at 0 replicas with its Service copy.
    static func leaveGone(in namespace: String, of member: KubeClient) async throws {
        let (services, slices, deployments) = clients(member)
        _ = try await services.create(globalService("old-global", owner: "gone"), namespace: namespace)
        _ = try await slices.create(globalSlice("old-global-us-east", of: "old-global", owner: "gone"), namespace: namespace)
        _ = try await deployments.create(copy("old", owner: "gone", replicas: 0), namespace: namespace)
        _ = try await services.create(serviceCopy("old", owner: "gone"), namespace: namespace)
    }

    /// The Service, EndpointSlice and Deployment clients of `member`.
    static func clients(_ member: KubeClient) -> (services: DynamicResourceClient, slices: DynamicResourceClient, deployments: DynamicResourceClient) {
        (
            member.dynamic(GroupVersionResource(group: "", version: "v1", resource: "services"), namespaced: true, kind: "Service"),
            member.dynamic(GroupVersionResource(group: "discovery.k8s.io", version: "v1", resource: "endpointslices"), namespaced: true, kind: "EndpointSlice"),
            member.dynamic(GroupVersionResource(group: "apps", version: "v1", resource: "deployments"), namespaced: true, kind: "Deployment")
        )
    }

    /// The labels Concord puts on what it makes for ServiceFailover `owner`, with `more`.
    static func labels(_ owner: String, _ more: [String: JSONValue] = [:]) -> JSONValue {
        .object(["federation.concord.dev/managed": "true", "federation.concord.dev/service-failover": .string(owner)].merging(more) { $1 })
    }

    static let stamp: JSONValue = ["federation.concord.dev/source-datacenter": "us-east"]

    /// A global Service `name` of `owner`.
    static func globalService(_ name: String, owner: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "labels": labels(owner)], "spec": ["ports": [["port": 80]]]]
    }

    /// An EndpointSlice `name` of global Service `service` of `owner`.
    static func globalSlice(_ name: String, of service: String, owner: String) -> JSONValue {
        [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": [
                "name": .string(name),
                "labels": labels(owner, ["endpointslice.kubernetes.io/managed-by": "federation.concord.dev", "kubernetes.io/service-name": .string(service)]),
            ],
            "addressType": "IPv4", "endpoints": [["addresses": ["10.0.0.1"]]], "ports": [["port": 80]],
        ]
    }

    /// A Deployment copy `name` of `owner`'s workload running `replicas`.
    static func copy(_ name: String, owner: String, replicas: Int) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "labels": labels(owner), "annotations": stamp],
            "spec": [
                "replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "app", "image": "example/app:1"]]]],
            ],
        ]
    }

    /// A copy `name` of `owner`'s Service.
    static func serviceCopy(_ name: String, owner: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "labels": labels(owner), "annotations": stamp],
            "spec": ["selector": ["app": .string(name)], "ports": [["port": 80]]],
        ]
    }

    /// Whether `client` finds `name` in `namespace`.
    static func exists(_ client: DynamicResourceClient, _ name: String, in namespace: String) async throws -> Bool {
        do {
            _ = try await client.get(name, namespace: namespace)
            return true
        } catch let error as KubeAPIError where error.isNotFound { return false }
    }
}
