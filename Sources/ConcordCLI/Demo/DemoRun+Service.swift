import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension DemoRun {
    /// The sample Service the demo protects (a Deployment and a Service of that name).
    static let service = "web"
    /// Replicas of the sample Deployment in the primary.
    static let serviceReplicas = 2

    /// Deploys the sample Deployment and Service natively in the primary and protects them with an
    /// ActivePassive ServiceFailover at the hub (the other members, in order, as failover
    /// datacenters); waits until every other member holds a standby copy at 0 replicas and every
    /// member's global Service routes to the primary's endpoints.
    func protectService() async throws -> DemoScenario.Outcome {
        let hub = try requireHub()
        let active = primary
        let others = (layout?.datacenters ?? []).map(\.name).filter { $0 != active }
        try await withMember(try kubeconfig(of: active)) { try await deploySample(into: $0) }
        let start = clock.now
        let sf = ServiceFailover(
            metadata: ObjectMeta(name: Self.service, namespace: Self.namespace),
            spec: ServiceFailoverSpec(service: Self.service, primary: active, failover: others.map { FailoverTarget(datacenter: $0) }))
        _ = try await hub.resource(ServiceFailover.self).create(sf)
        for name in others {
            try await waitInMember(try kubeconfig(of: name), "the standby copy of \(Self.service) in \(name) (kubectl describe sf \(Self.service) -n shop)", timeout: .seconds(30)) { member in
                (try? await member.resource(Deployment.self).get(Self.service, namespace: Self.namespace))?.spec?.replicas == 0
            }
        }
        let members = (layout?.datacenters ?? []).map(\.name)
        try await waitForRoutes(to: active, in: members, timeout: .seconds(30))
        return .init(
            measured: "members: standby copies at 0 in \(others.joined(separator: " and ")), \(GlobalService.name(of: Self.service)) routed to \(active) in all \(members.count) (from the ServiceFailover's creation)",
            seconds: Self.seconds(clock.now - start))
    }

    /// After the kill of the active datacenter: waits until the ServiceFailover has moved to
    /// another datacenter and the global Service of every surviving member routes only to its
    /// endpoints; prints `concord service get --all-datacenters`. Timed from the kill.
    func serviceFailover() async throws -> DemoScenario.Outcome {
        let hub = try requireHub()
        let lost = try lostPrimary()
        let survivors = (layout?.datacenters ?? []).map(\.name).filter { $0 != lost }
        let failovers = hub.resource(ServiceFailover.self)
        var target = ""
        try await waitUntil("ServiceFailover \(Self.service) to fail over from \(lost) (kubectl describe sf \(Self.service) -n shop)", timeout: .seconds(60)) {
            let status = try await failovers.get(Self.service, namespace: Self.namespace).status
            guard let active = status?.activeDatacenter, active != lost, status?.lastTransition?.completedAt != nil else { return false }
            target = active
            return true
        }
        try await waitForRoutes(to: target, in: survivors, timeout: .seconds(30))
        let since = killedAt.map { Self.seconds(clock.now - $0) }
        let sf = try await failovers.get(Self.service, namespace: Self.namespace)
        output.line("    concord service get \(Self.service) -n \(Self.namespace) --all-datacenters")
        for line in try ServiceView.answer(.all, for: sf).table.split(separator: "\n") { output.line("      \(line)") }
        let move = sf.status?.lastTransition
        return .init(
            measured: "members: \(GlobalService.name(of: Self.service)) routed to \(target) in \(survivors.joined(separator: " and ")) (from kill -9 of \(lost); the controller's move took \(move?.durationSeconds.map { String(format: "%.1f s", $0) } ?? "?"))",
            seconds: since)
    }

    /// Creates the namespace, the sample Deployment and its Service in `member`.
    private func deploySample(into member: KubeClient) async throws {
        do {
            _ = try await member.resource(Namespace.self).create(Namespace(name: Self.namespace))
        } catch let error as KubeAPIError where error.isAlreadyExists {}
        let labels = ["app": Self.service]
        let template: JSONValue = [
            "metadata": ["labels": ["app": .string(Self.service)]],
            "spec": ["containers": [["name": "web", "image": "example/web:1", "ports": [["containerPort": 8080]]]]],
        ]
        let deployment = Deployment(
            metadata: ObjectMeta(name: Self.service, namespace: Self.namespace),
            spec: DeploymentSpec(replicas: Self.serviceReplicas, selector: LabelSelector(matchLabels: labels), template: template))
        _ = try await member.resource(Deployment.self).create(deployment)
        let service = KubeService(
            metadata: ObjectMeta(name: Self.service, namespace: Self.namespace),
            spec: ServiceSpec(selector: labels, ports: [ServicePort(name: "http", port: 80, targetPort: .int(8080))]))
        _ = try await member.resource(KubeService.self).create(service)
    }

    /// Waits until, in each of `members`, the global Service's EndpointSlices all come from
    /// `datacenter` and hold at least one ready endpoint.
    func waitForRoutes(to datacenter: String, in members: [String], timeout: Duration) async throws {
        let options = ListOptions(labelSelector: "\(GlobalService.serviceNameLabel)=\(GlobalService.name(of: Self.service))")
        for name in members {
            try await waitInMember(try kubeconfig(of: name), "\(GlobalService.name(of: Self.service)) in \(name) to route to \(datacenter)", timeout: timeout) { member in
                let slices = try await member.resource(EndpointSlice.self).list(namespace: Self.namespace, options: options).items
                let sources = Set(slices.map { $0.metadata.labels?[FederationAnnotation.sourceDatacenter] ?? "" })
                return sources == [datacenter] && slices.contains { $0.endpoints.contains(where: \.isReady) }
            }
        }
    }
}
