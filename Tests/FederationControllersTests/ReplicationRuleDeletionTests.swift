import ConcordTesting
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

/// Deleting a ReplicationRule (its finalizer), and cluster-scoped kinds replicated by a rule in
/// `concord-system`, against real control planes.
@Suite(.serialized) struct ReplicationRuleDeletionTests {
    typealias Setup = ReplicationTestSetup

    @Test func deletingARuleRemovesItsReplicasUnderPropagateAndKeepsThemUnderOrphan() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2", "c": "eu-central-1"], primary: "a") { f in
            let a = f.members["a"]!, b = f.members["b"]!, c = f.members["c"]!
            try await Setup.createNamespace("shop", in: a)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: a)
            _ = try await a.resource(Secret.self).create(Secret(metadata: ObjectMeta(name: "global-ca", namespace: "shop"), data: ["ca.crt": "Y2E="]))
            try await f.createRule(Setup.rule(name: "config", resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchLabels: ["scope": "global"]))]))
            var orphan = Setup.rule(name: "secrets", resources: [ReplicatedResource(apiVersion: "v1", kind: "Secret", namePrefix: "global-")])
            orphan.spec.deletion = .orphan
            try await f.createRule(orphan)
            try await waitUntil("replicas in b and c", timeout: .seconds(30)) {
                let secrets = try await Setup.secretExists("global-ca", in: b) ? Setup.secretExists("global-ca", in: c) : false
                return try await Setup.all("flags", in: [b, c]) == [["color": "blue"], ["color": "blue"]] && secrets
            }
            // b's own object the rule selects (listed as a conflict, never the rule's) must survive the rule.
            try await Setup.configMap("b-only", ["v": "local"], labels: ["scope": "global"], in: b)
            try await f.waitForStatus("b's own object listed", rule: "config") { s in s.conflicts.contains { $0.name == "b-only" } }
            let rules = f.hub.resource(ReplicationRule.self)
            #expect(try await rules.get("config", namespace: "shop").metadata.hasFinalizer(FederationFinalizer.cleanup))

            for name in ["config", "secrets"] { _ = try await rules.delete(name, namespace: "shop") }
            try await waitUntil("both rules gone", timeout: .seconds(30)) {
                try await rules.list(namespace: "shop").items.isEmpty
            }
            #expect(try await Setup.all("flags", in: [a, b, c]) == [["color": "blue"], nil, nil])
            #expect(try await Setup.data("b-only", in: b) == ["v": "local"])
            #expect(try await Setup.secretExists("global-ca", in: b))
            #expect(try await Setup.secretExists("global-ca", in: c))
            #expect(try await Setup.secretExists("global-ca", in: a))
        }
    }

    @Test func aRuleInConcordSystemReplicatesClusterScopedKinds() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2"], primary: "a") { f in
            let a = f.members["a"]!, b = f.members["b"]!
            let crds = { (client: KubeClient) in
                client.dynamic(GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions"), namespaced: false, kind: "CustomResourceDefinition")
            }
            _ = try await crds(a).create(Self.widgetCRD(labels: ["scope": "global"]))
            _ = try await crds(a).create(Self.widgetCRD(plural: "gadgets", kind: "Gadget"))
            let resources = [ReplicatedResource(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", selector: LabelSelector(matchLabels: ["scope": "global"]))]
            var rule = Setup.rule(name: "crds", resources: resources)
            rule.metadata.namespace = FederationGroup.systemNamespace
            _ = try await f.hub.resource(ReplicationRule.self).create(rule, namespace: FederationGroup.systemNamespace)
            // Elsewhere a rule only touches its own namespace.
            try await f.createRule(Setup.rule(name: "crds-in-shop", resources: resources))

            func widgets(in client: KubeClient) async throws -> JSONValue? {
                do { return try await crds(client).get("widgets.example.com") } catch let error as KubeAPIError where error.isNotFound { return nil }
            }
            try await waitUntil("the CRD replicated into b", timeout: .seconds(30)) { try await widgets(in: b) != nil }
            let replica = try #require(try await widgets(in: b))
            #expect(ReplicaStamp(of: replica).rule == "concord-system/crds")
            #expect(ReplicaStamp(of: replica).sourceDatacenter == "a")
            #expect(replica["metadata"]?["namespace"] == nil)
            #expect(replica["spec"]?["scope"] == "Namespaced")
            let gadgets = try await crds(b).list().items.filter { ReplicaContent.name(of: $0) == "gadgets.example.com" }
            #expect(gadgets.isEmpty)
            try await waitUntil("crds Synced", timeout: .seconds(30)) {
                let s = try await f.hub.resource(ReplicationRule.self).get("crds", namespace: FederationGroup.systemNamespace).status
                return s?.conditions.isTrue("Ready") == true && s?.targets.first?.state == .synced
            }
            try await f.waitForStatus("a rule outside concord-system stalls", rule: "crds-in-shop") { s in
                s.conditions.condition("Stalled")?.reason == "ClusterScopedKind" && (s.conditions.condition("Stalled")?.message ?? "").contains("concord-system")
            }

            // Deleting the rule removes its cluster-scoped replicas, never the source's original.
            _ = try await f.hub.resource(ReplicationRule.self).delete("crds", namespace: FederationGroup.systemNamespace)
            try await waitUntil("the replica removed with the rule", timeout: .seconds(30)) { try await widgets(in: b) == nil }
            #expect(try await widgets(in: a) != nil)
        }
    }

    @Test func aDeletionTheDemotedPrimaryAcceptedIsAConflict() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2"], primary: "a") { f in
            let a = f.members["a"]!, b = f.members["b"]!
            try await Setup.createNamespace("shop", in: a)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: a)
            try await Setup.configMap("limits", ["max": "3"], labels: ["scope": "global"], in: a)
            var rule = Setup.rule(.targetWins)
            rule.spec.resources = [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchLabels: ["scope": "global"]))]
            try await f.createRule(rule)
            try await waitUntil("replicas in b", timeout: .seconds(30)) { try await Setup.all("flags", in: [b]) == [["color": "blue"]] }
            _ = try await f.hub.resource(FederationPolicy.self).patch("global", type: .merge, patch: ["spec": ["primary": "b"]])
            try await f.waitForStatus("b is the source") { s in s.sourceDatacenter == "b" && s.conditions.isTrue("Synced") }
            // a (demoted) deletes objects whose copies in b came from it: never silently re-created or lost.
            try await a.resource(ConfigMap.self).delete("flags", namespace: "shop")
            try await f.waitForStatus("the deletion listed") { s in
                s.conflicts.contains { $0.datacenter == "a" && $0.name == "flags" && ($0.message ?? "").contains("kept deleted") }
            }
            #expect(try await Setup.all("flags", in: [a, b]) == [nil, ["color": "blue"]])
            // Under SourceWins the source's copy is restored, and the conflict stays listed.
            _ = try await f.hub.resource(ReplicationRule.self).patch("global", namespace: "shop", type: .merge, patch: ["spec": ["conflictResolution": "SourceWins"]])
            try await a.resource(ConfigMap.self).delete("limits", namespace: "shop")
            try await waitUntil("re-created in a", timeout: .seconds(30)) { try await Setup.data("limits", in: a) == ["max": "3"] }
            try await f.waitForStatus("the restore listed") { s in
                s.conflicts.contains { $0.datacenter == "a" && $0.name == "limits" && ($0.message ?? "").contains("re-created") }
            }
        }
    }

    /// A namespaced CustomResourceDefinition `<plural>.example.com`.
    static func widgetCRD(plural: String = "widgets", kind: String = "Widget", labels: [String: String] = [:]) -> JSONValue {
        [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).example.com"), "labels": .object(labels.mapValues { .string($0) })],
            "spec": [
                "group": "example.com", "scope": "Namespaced",
                "names": ["plural": .string(plural), "singular": .string(kind.lowercased()), "kind": .string(kind), "listKind": .string("\(kind)List")],
                "versions": [["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]],
            ],
        ]
    }
}
