import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// `--simulate-workloads`: Deployments become available after the delay; Services get EndpointSlices.
struct WorkloadSimulationTests {
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"
    static let services = "/api/v1/namespaces/default/services"
    static let slices = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"

    static func deployment(_ name: String, replicas: Int64, app: String) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(app)]],
                "template": ["metadata": ["labels": ["app": .string(app)]], "spec": ["containers": [["name": "c", "image": "nginx"]]]],
            ],
        ]
    }

    static func service(_ name: String, app: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
            "spec": ["selector": ["app": .string(app)], "ports": [["name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"]]],
        ]
    }

    @Test(arguments: TestStorage.allCases)
    func deploymentsBecomeAvailableAfterTheDelayAndServicesGetOneAddressPerReadyReplica(_ storage: TestStorage) async throws {
        let clock = ManualClock()
        try await withTestControlPlane(storage: storage, configure: { $0.simulateWorkloads = WorkloadSimulation(delay: .seconds(2), clock: clock) }) { plane in
            let client = APIClient(plane)
            #expect(try await client.post(Self.services, Self.service("web", app: "web")).status == 201)
            #expect(try await client.post(Self.deployments, Self.deployment("web", replicas: 3, app: "web")).status == 201)
            // Before the delay: an empty slice, no status.
            try await waitUntil { try await client.get(Self.slices + "/web-simulated").status == 200 }
            try await clock.waitForSleepers(1)
            #expect(try await client.get(Self.deployments + "/web").json.value(at: ["status", "readyReplicas"]) == nil)
            clock.advance(by: .seconds(2))
            try await waitUntil {
                try await client.get(Self.deployments + "/web").json.value(at: ["status", "availableReplicas"]) == 3
            }
            let web = try await client.get(Self.deployments + "/web").json
            #expect(web.value(at: ["status", "observedGeneration"]) == 1)
            #expect(web.value(at: ["status", "readyReplicas"]) == 3)
            #expect(web.value(at: ["status", "updatedReplicas"]) == 3)
            let conditions = web.value(at: ["status", "conditions"])?.arrayValue ?? []
            #expect(conditions.compactMap { $0["type"]?.stringValue } == ["Available", "Progressing"])
            #expect(conditions.allSatisfy { $0["status"] == "True" })
            #expect(web.value(at: ["metadata", "labels", "concord.dev/simulated"]) == "true")
            try await waitUntil {
                try await client.get(Self.slices + "/web-simulated").json["endpoints"]?.arrayValue?.count == 3
            }
            let slice = try await client.get(Self.slices + "?labelSelector=kubernetes.io%2Fservice-name%3Dweb").json["items"]?.arrayValue?.first
            #expect(slice?.value(at: ["metadata", "labels", "concord.dev/simulated"]) == "true")
            #expect(slice?["ports"] == [["name": "http", "port": 8080, "protocol": "TCP"]])
            let addresses = slice?["endpoints"]?.arrayValue?.compactMap { $0["addresses"]?.arrayValue?.first?.stringValue } ?? []
            #expect(Set(addresses).count == 3)
            #expect(addresses.allSatisfy { $0.hasPrefix("10.244.") })

            // Scaling down: the status and the endpoints follow after the delay.
            #expect(try await client.patch(Self.deployments + "/web", ["spec": ["replicas": 1]]).status == 200)
            try await clock.waitForSleepers(1)
            clock.advance(by: .seconds(2))
            try await waitUntil {
                try await client.get(Self.slices + "/web-simulated").json["endpoints"]?.arrayValue?.count == 1
            }
            #expect(try await client.get(Self.deployments + "/web").json.value(at: ["status", "observedGeneration"]) == 2)

            // Deleting the Service deletes its slice (it owns it).
            #expect(try await client.delete(Self.services + "/web").status == 200)
            try await waitUntil { try await client.get(Self.slices + "/web-simulated").status == 404 }
        }
    }

    @Test func eachPodNetworkGivesItsOwnAddressesAndOnly10N0016IsAccepted() {
        let first = (0..<3).map { SimulatedObjects.address(namespace: "shop", deployment: "web", index: $0) }
        let second = (0..<3).map { SimulatedObjects.address(namespace: "shop", deployment: "web", index: $0, network: 243) }
        #expect(first.allSatisfy { $0.hasPrefix("10.244.") } && second.allSatisfy { $0.hasPrefix("10.243.") })
        #expect(first.map { $0.dropFirst(7) } == second.map { $0.dropFirst(7) })
        #expect(WorkloadSimulation.podNetwork(cidr: "10.244.0.0/16") == 244)
        #expect(WorkloadSimulation.podNetwork(cidr: "10.7.0.0/16") == 7)
        for bad in ["10.256.0.0/16", "10.244.0.0/24", "192.168.0.0/16", "10.244.1.0/16", "10.07.0.0/16", "10.244.0.0", ""] {
            #expect(WorkloadSimulation.podNetwork(cidr: bad) == nil, "\(bad)")
        }
    }

    @Test(arguments: TestStorage.allCases) func withoutTheOptionNothingIsSimulated(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { (plane: TestControlPlane) async throws in
            let client = APIClient(plane)
            #expect(try await client.post(Self.services, Self.service("web", app: "web")).status == 201)
            #expect(try await client.post(Self.deployments, Self.deployment("web", replicas: 2, app: "web")).status == 201)
            // A write after both, observed by then: the server handled the earlier ones without simulating.
            #expect(try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("marker")).status == 201)
            // Only the server's own `kubernetes` EndpointSlice: none for the Service.
            let slices = try await client.get(Self.slices).json["items"]?.arrayValue?.compactMap { $0.value(at: ["metadata", "name"])?.stringValue }
            #expect(slices == ["kubernetes"])
            #expect(try await client.get(Self.deployments + "/web").json["status"] == nil)
        }
    }

    @Test(arguments: [
        (["app": "web"], ["app": "web", "tier": "x"], true),
        (["app": "web"], ["app": "api"], false),
        ([:], ["app": "web"], false),
    ] as [([String: String], [String: String], Bool)])
    func serviceSelectorsMatchTemplateLabels(selector: [String: String], labels: [String: String], expected: Bool) {
        #expect(SimulatedObjects.selects(selector.mapValues(JSONValue.string), labels: labels.mapValues(JSONValue.string)) == expected)
    }

    @Test func zeroReplicasIsAvailableWithNoReadyReplicas() {
        let status = SimulatedObjects.deploymentStatus(for: Self.deployment("idle", replicas: 0, app: "idle"), now: Date(timeIntervalSince1970: 0))
        #expect(status["readyReplicas"] == nil)
        let available = status["conditions"]?.arrayValue?.first
        #expect(available?["type"] == "Available")
        #expect(available?["status"] == "True")
    }
}
