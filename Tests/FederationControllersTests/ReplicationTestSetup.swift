import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Testing

/// A hub, members with regions, a FederationPolicy naming the primary, and the controllers running.
struct ReplicationTestSetup {
    let hub: KubeClient
    let members: [String: KubeClient]

    /// Starts a control plane per member (name → region) and the hub, registers them, elects `primary`
    /// (under a FederationPolicy of `topology`, HubAndSpoke when nil), runs `body`.
    static func withFederation(
        _ regions: [String: String], primary: String, topology: FederationTopology? = nil, metrics: RuntimeMetrics? = nil,
        requeue: RequeuePolicy = RequeuePolicy(), _ body: (ReplicationTestSetup) async throws -> Void
    ) async throws {
        try await withPlanes(regions.keys.sorted()) { planes in
            try await withTestControlPlane { hubPlane in
                let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                var members: [String: KubeClient] = [:]
                for (name, plane) in planes { members[name] = try KubeClient(kubeconfigPath: plane.kubeconfigPath) }
                try await DatacenterControllerTests.installCRDs(hub)
                try await DatacenterControllerTests.withControllers(hub, options: ControllerOptions(metrics: metrics, events: EventBroadcaster(client: hub), requeue: requeue)) {
                    for (name, plane) in planes.sorted(by: { $0.key < $1.key }) {
                        try await register(hub, name: name, region: regions[name]!, kubeconfigPath: plane.kubeconfigPath)
                    }
                    _ = try await hub.resource(FederationPolicy.self).create(FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(topology: topology, primary: primary)))
                    try await waitUntil("\(primary) elected", timeout: .seconds(30)) {
                        try await hub.resource(FederationPolicy.self).get("global").status?.primary == primary
                    }
                    try await createNamespace("shop", in: hub)
                    try await body(ReplicationTestSetup(hub: hub, members: members))
                }
                for client in members.values { try await client.shutdown() }
                try await hub.shutdown()
            }
        }
    }

    /// Runs `body` with one control plane per name.
    static func withPlanes(_ names: [String], started: [String: TestControlPlane] = [:], _ body: ([String: TestControlPlane]) async throws -> Void) async throws {
        guard let name = names.first else { return try await body(started) }
        try await withTestControlPlane { plane in
            var more = started
            more[name] = plane
            try await withPlanes(Array(names.dropFirst()), started: more, body)
        }
    }

    static func register(_ hub: KubeClient, name: String, region: String, kubeconfigPath: String) async throws {
        let kubeconfig = try String(contentsOfFile: kubeconfigPath, encoding: .utf8)
        let secret = Secret(metadata: ObjectMeta(name: "\(name)-kubeconfig", namespace: "concord-system"), data: ["kubeconfig": Data(kubeconfig.utf8).base64EncodedString()])
        _ = try await hub.resource(Secret.self).create(secret, namespace: "concord-system")
        let dc = Datacenter(metadata: ObjectMeta(name: name), spec: DatacenterSpec(region: region, credentialsRef: SecretKeyReference(name: "\(name)-kubeconfig")))
        _ = try await hub.resource(Datacenter.self).create(dc)
    }

    /// The rule `shop/<name>`: ConfigMaps labelled `scope=global` and Secrets named `global-*`.
    static func rule(
        _ strategy: ConflictResolution = .sourceWins, name: String = "global", resources: [ReplicatedResource]? = nil, residency: [String]? = nil
    ) -> ReplicationRule {
        ReplicationRule(
            metadata: ObjectMeta(name: name, namespace: "shop"),
            spec: ReplicationRuleSpec(
                resources: resources ?? [
                    ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchLabels: ["scope": "global"])),
                    ReplicatedResource(apiVersion: "v1", kind: "Secret", namePrefix: "global-"),
                ],
                conflictResolution: strategy, residency: residency.map { Residency(allowedRegions: $0) }))
    }

    func createRule(_ rule: ReplicationRule) async throws {
        _ = try await hub.resource(ReplicationRule.self).create(rule, namespace: "shop")
    }

    /// Waits until the status of rule `shop/<rule>` satisfies `condition`.
    func waitForStatus(_ what: String, rule: String = "global", _ condition: @escaping (ReplicationRuleStatus) -> Bool) async throws {
        try await waitUntil(what, timeout: .seconds(30)) {
            guard let status = try await hub.resource(ReplicationRule.self).get(rule, namespace: "shop").status else { return false }
            return condition(status)
        }
    }

    static func createNamespace(_ name: String, in client: KubeClient) async throws {
        _ = try await client.resource(Namespace.self).create(Namespace(name: name))
    }

    static func configMap(_ name: String, _ data: [String: String], labels: [String: String]? = nil, in client: KubeClient) async throws {
        _ = try await client.resource(ConfigMap.self).create(ConfigMap(metadata: ObjectMeta(name: name, namespace: "shop", labels: labels), data: data))
    }

    /// The data of ConfigMap `shop/<name>`, nil when it does not exist.
    static func data(_ name: String, in client: KubeClient) async throws -> [String: String]? {
        do {
            return try await client.resource(ConfigMap.self).get(name, namespace: "shop").data ?? [:]
        } catch let error as KubeAPIError where error.isNotFound { return nil }
    }

    /// The data of ConfigMap `shop/<name>` in each client, in order.
    static func all(_ name: String, in clients: [KubeClient]) async throws -> [[String: String]?] {
        var result: [[String: String]?] = []
        for client in clients { result.append(try await data(name, in: client)) }
        return result
    }

    static func secretExists(_ name: String, in client: KubeClient) async throws -> Bool {
        do {
            _ = try await client.resource(Secret.self).get(name, namespace: "shop")
            return true
        } catch let error as KubeAPIError where error.isNotFound { return false }
    }
}
