import FederationAPI
import FederationCore
import KubernetesAPI
import Testing

@testable import FederationControllers

/// Which member changes wake a rule: objects it selects (kind, name prefix, labels) or stamped, never others of the kind.
struct ReplicationWakeTests {
    static let rule = ReplicationRule(
        metadata: ObjectMeta(name: "global-config", namespace: "shop"),
        spec: ReplicationRuleSpec(resources: [
            ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchLabels: ["scope": "global"])),
            ReplicatedResource(apiVersion: "v1", kind: "Secret", namePrefix: "global-"),
        ]))
    static let stamp = "shop/global-config"

    static func object(_ name: String, labels: [String: String] = [:], annotations: [String: String] = [:]) -> JSONValue {
        ["metadata": ["name": .string(name), "labels": .object(labels.mapValues(JSONValue.string)), "annotations": .object(annotations.mapValues(JSONValue.string))]]
    }

    static func concerns(_ kind: String, _ object: JSONValue) -> Bool {
        ReplicationWatches.concerns(rule, stamp: stamp, object, ReplicaKey(apiVersion: "v1", kind: kind, name: object["metadata"]?["name"]?.stringValue ?? ""))
    }

    @Test func selectedObjectsConcernTheRule() {
        #expect(Self.concerns("ConfigMap", Self.object("flags", labels: ["scope": "global"])))
        #expect(Self.concerns("Secret", Self.object("global-ca")))
    }

    @Test func otherObjectsOfTheKindDoNot() {
        #expect(!Self.concerns("ConfigMap", Self.object("flags", labels: ["scope": "none"])))
        #expect(!Self.concerns("ConfigMap", Self.object("global-flags")))
        #expect(!Self.concerns("Secret", Self.object("local-ca", labels: ["scope": "global"])))
        #expect(!Self.concerns("ConfigMap", Self.object("flags", annotations: [FederationAnnotation.rule: "shop/other-rule"])))
    }

    @Test func aReplicaTheRuleStampedConcernsItEvenUnselected() {
        #expect(Self.concerns("ConfigMap", Self.object("flags", annotations: [FederationAnnotation.rule: Self.stamp])))
    }
}
