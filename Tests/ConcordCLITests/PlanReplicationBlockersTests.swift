import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

@testable import ConcordCLI

/// `concord plan` for ReplicationRules the controller reads differently from a namespaced kind:
/// cluster-scoped kinds, kinds it cannot replicate, and rules without targets. Members are fakes
/// answering discovery and lists as a Kubernetes API server does.
struct PlanReplicationBlockersTests {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)
    private static let datacenters = ["us-west", "us-east", "eu-central"].map { (name: String) in
        Datacenter(metadata: ObjectMeta(name: name), spec: DatacenterSpec(region: "\(name)-1"), status: DatacenterStatus(phase: .ready))
    }

    private static func object(_ apiVersion: String, _ kind: String, _ name: String, namespace: String?, labels: [String: String]) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "resourceVersion": "5", "labels": .object(labels.mapValues { .string($0) })]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": metadata]
    }

    /// A member serving ConfigMaps (namespaced) and ClusterRoles (cluster-scoped), holding `objects` by list path.
    private static func member(_ objects: [String: [JSONValue]]) -> (KubeClient, FakeKubeTransport) {
        let discovery: [String: JSONValue] = [
            "/api/v1": ["resources": [["name": "configmaps", "kind": "ConfigMap", "namespaced": true]]],
            "/apis/rbac.authorization.k8s.io/v1": ["resources": [
                ["name": "clusterroles", "kind": "ClusterRole", "namespaced": false], ["name": "roles", "kind": "Role", "namespaced": true],
            ]],
        ]
        let fake = FakeKubeTransport { request in
            if let document = discovery[request.path] { return .json(200, document) }
            if let items = objects[request.path] { return .json(200, ["kind": "List", "apiVersion": "v1", "metadata": ["resourceVersion": "9"], "items": .array(items)]) }
            if request.path.hasPrefix("/apis/rbac") || request.path.hasPrefix("/api/v1/namespaces/") {
                return .json(200, ["kind": "List", "apiVersion": "v1", "metadata": ["resourceVersion": "9"], "items": []])
            }
            return .status(404, reason: "NotFound", message: "the server could not find the requested resource")
        }
        return (KubeClient(transport: fake), fake)
    }

    /// Reads `rules` from every member as `concord plan` does and plans them with us-west primary at epoch 2.
    private static func plan(_ rules: [ReplicationRule], source: [String: [JSONValue]]) async throws -> [ReplicationPlanReport] {
        var inputs = ReplicationPlanInputs(rules: rules, objects: [:], unreadable: [:])
        let kinds = ReplicatedKinds()
        for dc in datacenters {
            let name = dc.metadata.name ?? ""
            let (client, _) = member(name == "us-west" ? source : [:])
            inputs.record(try await ReplicationPlanInputs.read(rules, from: client, datacenter: name, kinds: kinds), of: name)
        }
        return inputs.plan(datacenters: datacenters, policies: [westPrimary], unreachable: [], now: now)
    }

    /// The plan of a FederationPolicy keeping us-west primary at epoch 2.
    private static var westPrimary: PolicyPlanReport {
        var policy = FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: "us-west"))
        policy.status = FederationPolicyStatus(primary: "us-west", epoch: 2)
        return PolicyPlanReport(policy: policy, plan: PolicyPlan(decision: .stay(primary: "us-west", epoch: 2), status: policy.status ?? FederationPolicyStatus(), effects: [], requeue: .resync))
    }

    private static func rule(_ namespace: String, _ resources: [ReplicatedResource], targets: [String: String]? = nil) -> ReplicationRule {
        ReplicationRule(
            metadata: ObjectMeta(name: "global", namespace: namespace),
            spec: ReplicationRuleSpec(targets: targets.map { ReplicationTargets(datacenterSelector: LabelSelector(matchLabels: $0)) }, resources: resources))
    }

    private static let clusterRoles = ReplicatedResource(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", selector: LabelSelector(matchLabels: ["scope": "global"]))

    @Test func aClusterScopedKindOfARuleInConcordSystemIsReadClusterWideAndCreated() async throws {
        let roles = [
            Self.object("rbac.authorization.k8s.io/v1", "ClusterRole", "reader", namespace: nil, labels: ["scope": "global"]),
            Self.object("rbac.authorization.k8s.io/v1", "ClusterRole", "local-admin", namespace: nil, labels: [:]),
        ]
        let report = try #require(try await Self.plan([Self.rule("concord-system", [Self.clusterRoles])], source: ["/apis/rbac.authorization.k8s.io/v1/clusterroles": roles]).first)
        #expect(report.waiting == nil && report.source == "us-west" && report.epoch == 2 && report.objects == 1, "\(report.text)")
        for target in ["eu-central", "us-east"] {
            #expect(report.targets.first { $0.datacenter == target }?.creates == ["ClusterRole/reader"], "\(report.text)")
        }
        #expect(report.text.contains("→ eu-central: would create ClusterRole/reader (0 in sync)"), "\(report.text)")

        // The member is asked for the kind cluster-wide, not in the rule's namespace.
        let (client, fake) = Self.member([:])
        _ = try await ReplicationPlanInputs.read([Self.rule("concord-system", [Self.clusterRoles])], from: client, datacenter: "us-east", kinds: ReplicatedKinds())
        #expect(fake.requests.map(\.path).contains("/apis/rbac.authorization.k8s.io/v1/clusterroles"), "\(fake.requests.map(\.path))")
    }

    @Test func aKindTheControllerCannotReplicateStallsThePlanWithItsReason() async throws {
        let flags = ["/api/v1/namespaces/shop/configmaps": [Self.object("v1", "ConfigMap", "flags", namespace: "shop", labels: ["scope": "global"])]]
        let configMaps = ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")

        let unknown = try #require(try await Self.plan([Self.rule("shop", [configMaps, ReplicatedResource(apiVersion: "v1", kind: "Widget")])], source: flags).first)
        #expect(unknown.reason == ReplicationRule.Reason.unknownKind && unknown.stalled && unknown.targets.isEmpty, "\(unknown.text)")
        #expect(unknown.waiting == "us-west serves no kind Widget in v1; fix spec.resources or install its CustomResourceDefinition", "\(unknown.text)")
        #expect(unknown.text.contains("  would stall (UnknownKind): us-west serves no kind Widget"), "\(unknown.text)")

        let clusterScoped = try #require(try await Self.plan([Self.rule("shop", [configMaps, Self.clusterRoles])], source: flags).first)
        #expect(clusterScoped.reason == ReplicationRule.Reason.clusterScopedKind && clusterScoped.stalled && clusterScoped.targets.isEmpty, "\(clusterScoped.text)")
        #expect(clusterScoped.waiting == "ClusterRole is cluster-scoped; only a rule in namespace concord-system may replicate cluster-scoped kinds.", "\(clusterScoped.text)")

        // A namespaced kind of the same group in the same rule namespace is planned.
        let roles = ReplicatedResource(apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role")
        let planned = try #require(try await Self.plan([Self.rule("shop", [configMaps, roles])], source: flags).first)
        #expect(planned.waiting == nil && planned.objects == 1 && planned.targets.count == 2, "\(planned.text)")
    }

    @Test func aRuleWithoutTargetsSaysWhy() throws {
        let noTargets = Self.rule("shop", [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")], targets: ["tier": "edge"])
        var residency = Self.rule("shop", [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")])
        residency.metadata.name = "eu-only"
        residency.spec.residency = Residency(allowedRegions: ["eu-*"])
        var inputs = ReplicationPlanInputs(rules: [noTargets, residency], objects: [:], unreadable: [:])
        for rule in inputs.rules { inputs.objects[rule.ruleAnnotationValue] = ["us-west": [:], "us-east": [:]] }
        let dcs = Self.datacenters.filter { $0.metadata.name != "eu-central" }
        let reports = inputs.plan(datacenters: dcs, policies: [Self.westPrimary], unreachable: ["us-west"], now: Self.now)

        let none = try #require(reports.first { $0.rule == "shop/global" })
        #expect(none.reason == ReplicationRule.Reason.noTargets && !none.stalled, "the controller says NoTargets before it looks at the source's health: \(none.text)")
        #expect(none.text.contains("  would wait (NoTargets): No Datacenter but the source us-west matches spec.targets."), "\(none.text)")
        let outside = try #require(reports.first { $0.rule == "shop/eu-only" })
        #expect(outside.reason == ReplicationRule.Reason.noAllowedTargets && outside.stalled, "\(outside.text)")
        #expect(outside.waiting?.hasPrefix("residency.allowedRegions [\"eu-*\"] matches no target's region (us-east-1)") == true, "\(outside.text)")
    }

    @Test func residencyAllowingNoTargetStillPlansTheDeletionsOutsideIt() throws {
        var residency = Self.rule("shop", [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")])
        residency.metadata.name = "eu-only"
        residency.spec.residency = Residency(allowedRegions: ["eu-*"])
        var replica = Self.object("v1", "ConfigMap", "flags", namespace: "shop", labels: [:])
        replica["metadata"]?["annotations"] = [FederationAnnotation.rule: "shop/eu-only"]
        let key = ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: "flags")
        let inputs = ReplicationPlanInputs(
            rules: [residency], objects: ["shop/eu-only": ["us-west": [key: Self.object("v1", "ConfigMap", "flags", namespace: "shop", labels: [:])], "us-east": [key: replica]]],
            unreadable: [:])
        let dcs = Self.datacenters.filter { $0.metadata.name != "eu-central" }
        let report = try #require(inputs.plan(datacenters: dcs, policies: [Self.westPrimary], unreachable: [], now: Self.now).first)
        #expect(report.reason == ReplicationRule.Reason.noAllowedTargets && report.stalled, "\(report.text)")
        #expect(report.targets.first { $0.datacenter == "us-east" }?.deletes == ["ConfigMap/flags"], "\(report.text)")
        #expect(report.text.contains("  would stall (NoAllowedTargets)") && report.text.contains("→ us-east: would delete ConfigMap/flags"), "\(report.text)")
    }

    @Test func aSelectorKubernetesWouldRefuseStallsThePlan() throws {
        let rule = Self.rule("shop", [ReplicatedResource(
            apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "scope", operator: .notIn)]))])
        let inputs = ReplicationPlanInputs(rules: [rule], objects: [:], unreadable: [:])
        let report = try #require(inputs.plan(datacenters: Self.datacenters, policies: [Self.westPrimary], unreachable: [], now: Self.now).first)
        #expect(report.reason == ReplicationRule.Reason.invalidSelector && report.stalled, "\(report.text)")
        #expect(report.text.contains("spec.resources[0].selector.matchExpressions[0].values: Required value"), "\(report.text)")
    }

    @Test func aMeshPassResolvesKindsThroughThePrimaryFirst() throws {
        var lww = Self.rule("shop", [ReplicatedResource(apiVersion: "v1", kind: "Widget")])
        lww.spec.conflictResolution = .lastWriterWins
        var mesh = FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(topology: .mesh, primary: "us-west"))
        mesh.status = FederationPolicyStatus(primary: "us-west", epoch: 3)
        let blocker = ReplicationBlocker(reason: ReplicationRule.Reason.unknownKind, message: "us-west serves no kind Widget in v1", terminal: true)
        let inputs = ReplicationPlanInputs(
            rules: [lww], objects: ["shop/global": ["eu-central": [:], "us-east": [:]]], unreadable: [:], blockers: ["shop/global": ["us-west": blocker]])
        let stalled = try #require(inputs.plan(datacenters: Self.datacenters, policies: [], unreachable: [], now: Self.now, mesh: mesh).first)
        #expect(stalled.reason == ReplicationRule.Reason.unknownKind && stalled.waiting == blocker.message && stalled.stalled, "\(stalled.text)")
        // With the primary assumed lost the controller asks the next member by name, which serves the kind.
        let planned = try #require(inputs.plan(datacenters: Self.datacenters, policies: [], unreachable: ["us-west"], now: Self.now, mesh: mesh).first)
        #expect(planned.waiting == nil && planned.targets.first { $0.datacenter == "us-west" }?.unreachable == true, "\(planned.text)")
    }
}
