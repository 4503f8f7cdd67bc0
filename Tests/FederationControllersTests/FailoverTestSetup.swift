import ConcordTesting
import ControlPlane
import ControllerRuntime
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

/// A hub and members that simulate workloads (Deployments become ready, Services get
/// EndpointSlices), registered as Datacenters, with the controllers running.
struct FailoverTestSetup {
    let hub: KubeClient
    let members: [String: KubeClient]

    /// Starts one simulating control plane per name and the hub, registers them (with `specs`
    /// adjusting a Datacenter's spec), waits until every Datacenter is Ready, runs `body`.
    static func withFederation(
        _ names: [String], labels: [String: [String: String]] = [:], specs: [String: (inout DatacenterSpec) -> Void] = [:],
        _ body: (FailoverTestSetup) async throws -> Void
    ) async throws {
        try await withPlanes(names) { planes in
            try await withTestControlPlane { hubPlane in
                let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                var members: [String: KubeClient] = [:]
                for (name, plane) in planes { members[name] = try KubeClient(kubeconfigPath: plane.kubeconfigPath) }
                try await DatacenterControllerTests.installCRDs(hub)
                let events = EventBroadcaster(client: hub)
                try await DatacenterControllerTests.withControllers(hub, options: ControllerOptions(events: events)) {
                    for (name, plane) in planes.sorted(by: { $0.key < $1.key }) {
                        var spec = DatacenterSpec(region: "\(name)-1", credentialsRef: SecretKeyReference(name: "\(name)-kubeconfig"))
                        specs[name]?(&spec)
                        try await register(hub, name: name, labels: labels[name], spec: spec, kubeconfigPath: plane.kubeconfigPath)
                    }
                    try await waitUntil("every Datacenter Ready", timeout: .seconds(30)) {
                        let dcs = try await hub.resource(Datacenter.self).list().items
                        return dcs.count == names.count && dcs.allSatisfy { $0.status?.phase == .ready }
                    }
                    _ = try await hub.resource(Namespace.self).create(Namespace(name: "shop"))
                    try await body(FailoverTestSetup(hub: hub, members: members))
                }
                for client in members.values { try await client.shutdown() }
                try await hub.shutdown()
            }
        }
    }

    /// Runs `body` with one simulating control plane per name (rollouts take 200 ms).
    static func withPlanes(_ names: [String], started: [String: TestControlPlane] = [:], _ body: ([String: TestControlPlane]) async throws -> Void) async throws {
        guard let name = names.first else { return try await body(started) }
        try await withTestControlPlane(configure: { $0.simulateWorkloads = WorkloadSimulation(delay: .milliseconds(200)) }) { plane in
            var more = started
            more[name] = plane
            try await withPlanes(Array(names.dropFirst()), started: more, body)
        }
    }

    static func register(_ hub: KubeClient, name: String, labels: [String: String]? = nil, spec: DatacenterSpec, kubeconfigPath: String) async throws {
        let kubeconfig = try String(contentsOfFile: kubeconfigPath, encoding: .utf8)
        let secret = Secret(metadata: ObjectMeta(name: "\(name)-kubeconfig", namespace: "concord-system"), data: ["kubeconfig": Data(kubeconfig.utf8).base64EncodedString()])
        _ = try await hub.resource(Secret.self).create(secret, namespace: "concord-system")
        _ = try await hub.resource(Datacenter.self).create(Datacenter(metadata: ObjectMeta(name: name, labels: labels), spec: spec))
    }

    /// Namespace `shop` in `member`, with Deployment and Service `name` (port 80 → 8080), once every replica is ready.
    static func deploy(_ name: String, replicas: Int, in member: KubeClient) async throws {
        do {
            _ = try await member.resource(Namespace.self).create(Namespace(name: "shop"))
        } catch let error as KubeAPIError where error.isAlreadyExists {}
        let labels: JSONValue = ["app": .string(name)]
        let template: JSONValue = ["metadata": ["labels": labels], "spec": ["containers": [["name": "app", "image": .string("example/\(name):1")]]]]
        _ = try await member.resource(Deployment.self).create(Deployment(
            metadata: ObjectMeta(name: name, namespace: "shop"),
            spec: DeploymentSpec(replicas: replicas, selector: LabelSelector(matchLabels: ["app": name]), template: template)))
        _ = try await member.resource(KubeService.self).create(KubeService(
            metadata: ObjectMeta(name: name, namespace: "shop"),
            spec: ServiceSpec(selector: ["app": name], ports: [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))])))
        // Deployed means running, as when a person protects a live service: a ServiceFailover
        // created during the rollout would rightly count the unready replicas against the primary.
        try await waitUntil("\(name) rolled out", timeout: .seconds(30)) { try await deployment(name, in: member)?.ready == replicas }
    }

    /// Creates ServiceFailover `shop/<name>`.
    func create(_ name: String, service: String? = nil, primary: String, failover: [FailoverTarget], policy: FailoverPolicy) async throws {
        _ = try await hub.resource(ServiceFailover.self).create(
            ServiceFailover(metadata: ObjectMeta(name: name, namespace: "shop"), spec: ServiceFailoverSpec(service: service ?? name, primary: primary, failover: failover, policy: policy)),
            namespace: "shop")
    }

    /// Changes ServiceFailover `shop/<name>` with `change`, re-reading it after a conflict.
    func modify(_ name: String, _ change: @escaping (inout ServiceFailover) -> Void) async throws {
        let client = hub.resource(ServiceFailover.self)
        try await waitUntil("updating \(name)", timeout: .seconds(10)) {
            var sf = try await client.get(name, namespace: "shop")
            change(&sf)
            do {
                _ = try await client.update(sf)
                return true
            } catch let error as KubeAPIError where error.isConflict { return false }
        }
    }

    /// The status of `shop/<name>`.
    func status(_ name: String) async throws -> ServiceFailoverStatus? {
        try await hub.resource(ServiceFailover.self).get(name, namespace: "shop").status
    }

    /// Waits until the status of `shop/<name>` satisfies `condition`.
    func waitForStatus(_ what: String, _ name: String, _ condition: @escaping (ServiceFailoverStatus) -> Bool) async throws {
        try await waitUntil(what, timeout: .seconds(30)) {
            guard let status = try await status(name) else { return false }
            return condition(status)
        }
    }

    /// `spec.replicas` of Deployment `shop/<name>` in `member` (nil: no such Deployment) and whether it is Concord's copy.
    static func deployment(_ name: String, in member: KubeClient) async throws -> (replicas: Int, ready: Int, copy: Bool)? {
        do {
            let d = try await member.resource(Deployment.self).get(name, namespace: "shop")
            return (d.spec?.effectiveReplicas ?? 1, d.status?.readyReplicas ?? 0, d.metadata.labels?[FederationLabel.managed] == "true")
        } catch let error as KubeAPIError where error.isNotFound { return nil }
    }

    /// The global EndpointSlices of `service` in `member`: source datacenter → endpoint count.
    static func globalRoutes(_ service: String, in member: KubeClient) async throws -> [String: Int] {
        let slices = try await member.resource(EndpointSlice.self).list(
            namespace: "shop", options: ListOptions(labelSelector: "\(GlobalService.serviceNameLabel)=\(GlobalService.name(of: service))"))
        var routes: [String: Int] = [:]
        for slice in slices.items {
            routes[slice.metadata.labels?[FederationAnnotation.sourceDatacenter] ?? "?"] = slice.endpoints.count
        }
        return routes
    }

    /// Sets `spec.replicas` of Deployment `shop/<name>` in `member`.
    static func scale(_ name: String, to replicas: Int, in member: KubeClient) async throws {
        _ = try await member.resource(Deployment.self).patch(name, namespace: "shop", type: .merge, patch: ["spec": ["replicas": .int(Int64(replicas))]])
    }
}
