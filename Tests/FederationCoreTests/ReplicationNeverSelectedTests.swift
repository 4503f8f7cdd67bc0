import FederationAPI
import FederationCore
import Foundation
import Testing

/// What every Kubernetes cluster makes for itself (`kube-root-ca.crt` and the `default` ServiceAccount in
/// every namespace, the `kubernetes` Service, Endpoints and EndpointSlice in `default`) is never selected by a
/// rule: never copied, never listed as a conflict, in HubAndSpoke or Mesh.
struct ReplicationNeverSelectedTests {
    static let everyConfigMap = Repl.rule()

    @Test(arguments: [
        ("v1", "ConfigMap", "kube-root-ca.crt", "shop", false),
        ("v1", "ConfigMap", "kube-root-ca.crt.bak", "shop", true),
        ("v1", "ConfigMap", "flags", "shop", true),
        ("v1", "Secret", "kube-root-ca.crt", "shop", true),
        ("example.com/v1", "ConfigMap", "kube-root-ca.crt", "shop", true),
        ("v1", "ServiceAccount", "default", "shop", false),
        ("v1", "ServiceAccount", "deployer", "shop", true),
        ("v1", "Service", "kubernetes", "default", false),
        ("v1", "Endpoints", "kubernetes", "default", false),
        ("discovery.k8s.io/v1", "EndpointSlice", "kubernetes", "default", false),
        ("v1", "Service", "kubernetes", "shop", true),
        ("v1", "Service", "web", "default", true),
        ("example.com/v1", "Service", "kubernetes", "default", true),
    ])
    func selection(apiVersion: String, kind: String, name: String, namespace: String, selected: Bool) {
        let rule = ReplicationRule(
            metadata: ObjectMeta(name: "global", namespace: namespace),
            spec: ReplicationRuleSpec(resources: [
                ReplicatedResource(apiVersion: apiVersion, kind: kind), ReplicatedResource(apiVersion: apiVersion, kind: kind, namePrefix: String(name.prefix(4))),
            ]))
        let object: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": ["name": .string(name), "namespace": .string(namespace)]]
        #expect(rule.selects(ReplicaKey(apiVersion: apiVersion, kind: kind, name: name), object) == selected)
        #expect(ReplicatedResource(apiVersion: apiVersion, kind: kind).matches(name: name, labels: nil, namespace: namespace) == selected)
    }

    @Test func aTargetsOwnRootCAIsNeitherAConflictNorDeleted() {
        let own = Repl.source("kube-root-ca.crt", "the target's CA")
        let plan = planReplication(
            rule: Self.everyConfigMap, source: "us-east", epoch: 1, sources: Repl.sources(["flags": Repl.source("flags", "blue")]),
            targets: [Repl.target("us-west", region: "us-west-2", ["kube-root-ca.crt": own])], now: Repl.now)
        #expect(Repl.describe(plan.targets[0].effects) == ["create flags"])
        #expect(plan.targets[0].conflicts.isEmpty)
    }

    @Test func meshMembersKeepTheirOwnRootCA() {
        var rule = Self.everyConfigMap
        rule.spec.conflictResolution = .lastWriterWins
        let members = [
            Repl.target("us-east", region: "us-east-1", ["kube-root-ca.crt": Repl.source("kube-root-ca.crt", "east CA")]),
            Repl.target("us-west", region: "us-west-2", ["kube-root-ca.crt": Repl.source("kube-root-ca.crt", "west CA")]),
        ]
        let plan = planMeshReplication(rule: rule, epoch: 1, members: members, now: Repl.now)
        #expect(plan.objects == 0)
        #expect(plan.targets.allSatisfy { $0.effects.isEmpty })
    }
}
