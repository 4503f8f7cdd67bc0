import FederationAPI
import Foundation
import Testing

@testable import ConcordCLI

/// `concord status`: one screen of policies, datacenters, replication and services, and the same as JSON.
struct StatusScreenTests {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static var summary: FederationSummary {
        let datacenters = ["us-east", "us-west"].map { name in
            Datacenter(
                metadata: ObjectMeta(name: name), spec: DatacenterSpec(region: "\(name)-1"),
                status: DatacenterStatus(phase: name == "us-east" ? .unreachable : .ready, role: name == "us-east" ? .secondary : .primary, latencyMilliseconds: 3))
        }
        let policy = FederationPolicy(
            metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: "us-east"),
            status: FederationPolicyStatus(primary: "us-west", epoch: 2, members: [FederationMember(name: "us-east"), FederationMember(name: "us-west")], readyMembers: 1))
        let rule = ReplicationRule(
            metadata: ObjectMeta(name: "global-config", namespace: "shop"),
            spec: ReplicationRuleSpec(resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")]),
            status: ReplicationRuleStatus(
                sourceDatacenter: "us-west", sourceEpoch: 2, objects: 5,
                targets: [ReplicationTargetStatus(datacenter: "eu-central", state: .synced, lagSeconds: 0.3, objectsInSync: 5, conflicts: 1)],
                conflicts: [ReplicationConflict(datacenter: "eu-central", kind: "ConfigMap", name: "flags", detectedAt: KubeTime(now), resolution: .manual)],
                conflictsTotal: 3))
        let transition = FailoverTransition(
            from: "us-east", to: "us-west", reason: "DatacenterUnreachable", startedAt: KubeTime(now.addingTimeInterval(-90)),
            completedAt: KubeTime(now.addingTimeInterval(-86)), durationSeconds: 4.2)
        let service = ServiceFailover(
            metadata: ObjectMeta(name: "payment-api", namespace: "shop"),
            spec: ServiceFailoverSpec(service: "payment-api", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west", replicas: 3)]),
            status: ServiceFailoverStatus(
                activeDatacenter: "us-west", phase: .failedOver,
                datacenters: [ServiceDatacenterStatus(name: "us-east", desiredReplicas: 0), ServiceDatacenterStatus(name: "us-west", desiredReplicas: 3, readyReplicas: 3)],
                lastTransition: transition))
        return FederationSummary(policies: [policy], datacenters: datacenters, rules: [rule], services: [service])
    }

    @Test func oneScreenShowsEveryPart() throws {
        let screen = try StatusCommand.screen(Self.summary, format: .text, now: Self.now)
        let expected = [
            "FederationPolicy global: primary us-west, epoch 2, 1/2 members Ready",
            "us-east   us-east-1   Secondary   Unreachable   3ms",
            "ReplicationRule shop/global-config: source us-west (epoch 2), 5 objects, 3 conflicts so far",
            "  → eu-central: Synced, lag 0.3s, 5 in sync, 1 conflict waiting",
            "ServiceFailover shop/payment-api: FailedOver, active in us-west (primary us-east); last us-east → us-west (DatacenterUnreachable) 90s ago in 4.2s",
            "1/2 datacenters Ready",
        ]
        for line in expected { #expect(screen.contains(line), "missing \(line) in\n\(screen)") }
    }

    @Test func severalActiveDatacentersShowTheDivision() {
        var summary = Self.summary
        summary.services[0].status?.datacenters = [
            ServiceDatacenterStatus(name: "us-east", desiredReplicas: 8, readyReplicas: 7), ServiceDatacenterStatus(name: "us-west", desiredReplicas: 4, readyReplicas: 4),
        ]
        #expect(ServiceLines.placement(summary.services[0]) == "us-east 7/8, us-west 4/4")
    }

    @Test func anActiveActiveServiceInOneDatacenterShowsItsShareNotAnActiveDatacenter() {
        var summary = Self.summary
        summary.services[0].spec.mode = .activeActive
        summary.services[0].status?.activeDatacenter = nil
        summary.services[0].status?.datacenters = [
            ServiceDatacenterStatus(name: "us-east", role: .active, desiredReplicas: 6, readyReplicas: 6),
            ServiceDatacenterStatus(name: "us-west", role: .active, desiredReplicas: 0, readyReplicas: 0),
        ]
        #expect(ServiceLines.placement(summary.services[0]) == "us-east 6/6")
        // A shortfall is counted; with nothing placed, it says so.
        summary.services[0].status?.unplacedReplicas = 2
        #expect(ServiceLines.placement(summary.services[0]) == "us-east 6/6, 2 unplaced")
        summary.services[0].spec.replicas = 8
        summary.services[0].status?.unplacedReplicas = 8
        summary.services[0].status?.datacenters = []
        #expect(ServiceLines.placement(summary.services[0]) == "placed nowhere (8 replicas), 8 unplaced")
    }

    @Test func jsonCarriesTheSameFacts() throws {
        let text = try StatusCommand.screen(Self.summary, format: .json, now: Self.now)
        let document = try JSONDecoder().decode(StatusDocument.self, from: Data(text.utf8))
        #expect(document == StatusDocument(Self.summary))
        #expect(document.policies.map(\.primary) == ["us-west"] && document.policies.first?.epoch == 2)
        #expect(document.datacenters.map(\.phase) == ["Unreachable", "Ready"])
        let rule = try #require(document.replicationRules.first)
        #expect(rule.conflictsWaiting == 1 && rule.conflictsTotal == 3 && rule.targets.first?.lagSeconds == 0.3)
        let service = try #require(document.services.first)
        #expect(service.activeDatacenter == "us-west" && service.lastTransition?.durationSeconds == 4.2)
    }

    @Test func anEmptyHubSaysWhatToDo() throws {
        let screen = try StatusCommand.screen(FederationSummary(policies: [], datacenters: []), format: .text, now: Self.now)
        #expect(screen.hasPrefix("No datacenters."))
    }
}
