import FederationAPI
import FederationCore
import Foundation
import Testing

@testable import ConcordCLI

/// `concord plan` for ReplicationRules and ServiceFailovers: the controllers' planning functions on
/// what was read, under the assumptions.
struct PlanReplicationAndServiceTests {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static func datacenter(_ name: String, phase: DatacenterPhase = .ready) -> Datacenter {
        Datacenter(
            metadata: ObjectMeta(name: name), spec: DatacenterSpec(region: "\(name)-1"),
            status: DatacenterStatus(
                phase: phase,
                conditions: [Condition(type: Datacenter.ConditionType.ready, status: phase == .ready ? .true : .false, lastTransitionTime: KubeTime(now.addingTimeInterval(-600)), reason: "Healthy")]))
    }

    private static func configMap(_ name: String, data: String, labels: [String: String] = ["scope": "global"], annotations: [String: String] = [:]) -> JSONValue {
        var object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "shop", "resourceVersion": "7"], "data": ["v": .string(data)]]
        object.setValue(.object(labels.mapValues { .string($0) }), at: ["metadata", "labels"])
        if !annotations.isEmpty { object.setValue(.object(annotations.mapValues { .string($0) }), at: ["metadata", "annotations"]) }
        return object
    }

    private static func key(_ name: String) -> ReplicaKey { ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: name) }

    private static let rule = ReplicationRule(
        metadata: ObjectMeta(name: "global-config", namespace: "shop"),
        spec: ReplicationRuleSpec(resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchLabels: ["scope": "global"]))]))

    private static func policy(primary: String, epoch: Int64) -> PolicyPlanReport {
        var policy = FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: primary))
        policy.status = FederationPolicyStatus(primary: primary, epoch: epoch)
        return PolicyPlanReport(policy: policy, plan: PolicyPlan(decision: .stay(primary: primary, epoch: epoch), status: policy.status ?? FederationPolicyStatus(), effects: [], requeue: .resync))
    }

    @Test func newSourceObjectsAreCreatedAndALocalEditIsAConflict() throws {
        // us-west's replica of "a" was written by the rule, then changed locally; "b" is new at the source.
        let a = Self.configMap("a", data: "1")
        var edited = Self.configMap("a", data: "local", annotations: [
            FederationAnnotation.rule: "shop/global-config", FederationAnnotation.sourceDatacenter: "us-east",
            FederationAnnotation.sourceRevision: "7", FederationAnnotation.contentHash: ReplicaContent.hash(of: a),
        ])
        edited.setValue(nil, at: ["metadata", "resourceVersion"])
        let inputs = ReplicationPlanInputs(
            rules: [Self.rule],
            objects: ["shop/global-config": [
                "us-east": [Self.key("a"): a, Self.key("b"): Self.configMap("b", data: "2"), Self.key("local"): Self.configMap("local", data: "x", labels: [:])],
                "us-west": [Self.key("a"): edited],
            ]],
            unreadable: [:])
        let reports = inputs.plan(
            datacenters: [Self.datacenter("us-east"), Self.datacenter("us-west"), Self.datacenter("eu-central")],
            policies: [Self.policy(primary: "us-east", epoch: 1)], unreachable: ["eu-central"], now: Self.now)
        let report = try #require(reports.first)
        #expect(report.source == "us-east" && report.epoch == 1 && report.objects == 2, "the unlabelled object is not selected")
        let west = try #require(report.targets.first { $0.datacenter == "us-west" })
        #expect(west.creates == ["ConfigMap/b"])
        #expect(west.conflicts.count == 1 && west.conflicts[0].contains("ConfigMap/a in us-west"), "\(west.conflicts)")
        #expect(west.updates == ["ConfigMap/a"], "SourceWins restores the replica")
        #expect(report.targets.first { $0.datacenter == "eu-central" }?.unreachable == true)
        #expect(report.text.contains("→ eu-central: Unreachable, not planned"))
    }

    /// Every member's own `kube-root-ca.crt` is never selected: not copied, not a conflict, as in the controller.
    @Test func theRootCAConfigMapIsNeverSelected() throws {
        let everyConfigMap = ReplicationRule(
            metadata: ObjectMeta(name: "global-config", namespace: "shop"),
            spec: ReplicationRuleSpec(resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")]))
        let inputs = ReplicationPlanInputs(
            rules: [everyConfigMap],
            objects: ["shop/global-config": [
                "us-east": [Self.key("a"): Self.configMap("a", data: "1"), Self.key("kube-root-ca.crt"): Self.configMap("kube-root-ca.crt", data: "east CA", labels: [:])],
                "us-west": [Self.key("kube-root-ca.crt"): Self.configMap("kube-root-ca.crt", data: "west CA", labels: [:])],
            ]],
            unreadable: [:])
        let report = try #require(inputs.plan(
            datacenters: [Self.datacenter("us-east"), Self.datacenter("us-west")], policies: [Self.policy(primary: "us-east", epoch: 1)], unreachable: [], now: Self.now).first)
        #expect(report.objects == 1)
        let west = try #require(report.targets.first { $0.datacenter == "us-west" })
        #expect(west.creates == ["ConfigMap/a"])
        #expect(west.updates.isEmpty && west.conflicts.isEmpty, "\(west)")
    }

    @Test func aLostSourceWaitsAndAPromotionMovesIt() throws {
        let inputs = ReplicationPlanInputs(rules: [Self.rule], objects: ["shop/global-config": ["us-west": [:]]], unreadable: [:])
        let dcs = [Self.datacenter("us-east"), Self.datacenter("us-west")]
        let waiting = try #require(inputs.plan(datacenters: dcs, policies: [Self.policy(primary: "us-east", epoch: 1)], unreachable: ["us-east"], now: Self.now).first)
        #expect(waiting.waiting == "the source us-east is Unreachable or missing")
        let moved = try #require(inputs.plan(datacenters: dcs, policies: [Self.policy(primary: "us-west", epoch: 2)], unreachable: ["us-east"], now: Self.now).first)
        #expect(moved.source == "us-west" && moved.epoch == 2 && moved.waiting == nil)
    }

    @Test func aMeshPolicyPlansEveryMemberAsASourceAndRefusesSourceWins() throws {
        // A new object in us-east under Mesh: the first pass stamps it where it was written; nothing else yet.
        var lww = Self.rule
        lww.spec.conflictResolution = .lastWriterWins
        var mesh = FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(topology: .mesh, primary: "us-east"))
        mesh.status = FederationPolicyStatus(primary: "us-east", epoch: 1)
        let objects: [String: [String: ReplicationPlanInputs.Objects]] = ["shop/global-config": [
            "us-east": [Self.key("flags"): Self.configMap("flags", data: "1")], "us-west": [:], "eu-central": [:],
        ]]
        let dcs = [Self.datacenter("us-east"), Self.datacenter("us-west"), Self.datacenter("eu-central")]
        let inputs = ReplicationPlanInputs(rules: [lww], objects: objects, unreadable: [:])
        let report = try #require(inputs.plan(datacenters: dcs, policies: [Self.policy(primary: "us-east", epoch: 1)], unreachable: ["eu-central"], now: Self.now, mesh: mesh).first)
        #expect(report.source == MeshReplication.source && report.objects == 1 && report.waiting == nil)
        #expect(report.targets.first { $0.datacenter == "us-east" }?.adoptions == ["ConfigMap/flags"], "\(report.targets)")
        #expect(report.targets.first { $0.datacenter == "us-west" }.map { $0.creates.isEmpty && $0.updates.isEmpty } == true, "\(report.targets)")
        #expect(report.targets.first { $0.datacenter == "eu-central" }?.unreachable == true)
        #expect(report.text.hasPrefix("ReplicationRule shop/global-config: Mesh (every member is a source) at epoch 1, 1 object"), "\(report.text)")

        // SourceWins (the default) has no source to follow in Mesh: the plan shows the controller's refusal.
        let refused = try #require(ReplicationPlanInputs(rules: [Self.rule], objects: objects, unreadable: [:])
            .plan(datacenters: dcs, policies: [Self.policy(primary: "us-east", epoch: 1)], unreachable: [], now: Self.now, mesh: mesh).first)
        #expect(refused.waiting?.contains("no source for SourceWins to restore from") == true, "\(refused)")
    }

    private static let service = ServiceFailover(
        metadata: ObjectMeta(name: "payment-api", namespace: "shop", generation: 1),
        spec: ServiceFailoverSpec(service: "payment-api", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west", replicas: 3), FailoverTarget(datacenter: "eu-central", replicas: 2)]),
        status: ServiceFailoverStatus(
            activeDatacenter: "us-east", phase: .active,
            datacenters: [
                ServiceDatacenterStatus(name: "us-east", desiredReplicas: 4, readyReplicas: 4), ServiceDatacenterStatus(name: "us-west", desiredReplicas: 0, readyReplicas: 0),
                ServiceDatacenterStatus(name: "eu-central", desiredReplicas: 0, readyReplicas: 0),
            ]))

    private func plan(unreachable: Set<String>, cordoned: Set<String> = []) -> ServicePlanReport {
        let dcs = [Self.datacenter("us-east"), Self.datacenter("us-west"), Self.datacenter("eu-central")]
        return ServicePlanReport(Self.service, plan: planService(ServicePlanReport.input(Self.service, datacenters: dcs, unreachable: unreachable, cordoned: cordoned, now: Self.now)))
    }

    @Test func aHealthyServiceMovesNothing() {
        let report = plan(unreachable: [])
        #expect(report.transition == nil && report.scales.allSatisfy { $0.replicas == 0 || $0.datacenter == "us-east" })
        #expect(report.plannedActiveDatacenter == "us-east")
    }

    @Test func aLostPrimaryFailsOverToTheFirstFittingTarget() {
        let report = plan(unreachable: ["us-east"])
        #expect(report.transition == "us-east → us-west (DatacenterUnreachable)", "\(report.text)")
        #expect(report.scales.contains(.init(datacenter: "us-west", replicas: 3)), "\(report.text)")
        let cordoned = plan(unreachable: ["us-east"], cordoned: ["us-west"])
        #expect(cordoned.transition == "us-east → eu-central (DatacenterUnreachable)", "\(cordoned.text)")
    }
}
