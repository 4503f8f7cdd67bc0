import FederationAPI
import FederationCore
import Foundation
import Testing

/// `kube-root-ca.crt`, which every Kubernetes cluster creates in every namespace with its own CA, is
/// never selected by a rule: never copied, never listed as a conflict, in HubAndSpoke or Mesh.
struct ReplicationNeverSelectedTests {
    static let everyConfigMap = Repl.rule()

    @Test(arguments: [
        ("v1", "ConfigMap", "kube-root-ca.crt", false),
        ("v1", "ConfigMap", "kube-root-ca.crt.bak", true),
        ("v1", "ConfigMap", "flags", true),
        ("v1", "Secret", "kube-root-ca.crt", true),
        ("example.com/v1", "ConfigMap", "kube-root-ca.crt", true),
    ])
    func selection(apiVersion: String, kind: String, name: String, selected: Bool) {
        let rule = ReplicationRule(
            metadata: ObjectMeta(name: "global", namespace: "shop"),
            spec: ReplicationRuleSpec(resources: [
                ReplicatedResource(apiVersion: apiVersion, kind: kind), ReplicatedResource(apiVersion: apiVersion, kind: kind, namePrefix: "kube-"),
            ]))
        let object: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": ["name": .string(name), "namespace": "shop"]]
        #expect(rule.selects(ReplicaKey(apiVersion: apiVersion, kind: kind, name: name), object) == selected)
        #expect(ReplicatedResource(apiVersion: apiVersion, kind: kind).matches(name: name, labels: nil) == selected)
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
