import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubernetesAPI
import Testing

@testable import FederationControllers

/// A HubAndSpoke pass reads, in a target, only what its plan can act on: the objects the rule
/// selects, those named like a selected source object, and those it stamped; never the rest of a
/// busy namespace.
struct ReplicationReadTests {
    static let id = ReplicaKindKey(apiVersion: "v1", kind: "ConfigMap")

    static func configMap(_ name: String, labels: [String: String] = [:], rule: String? = nil) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "namespace": "shop"]
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        if let rule { metadata["annotations"] = [FederationAnnotation.rule: .string(rule)] }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": ["v": "1"]]
    }

    static func cache(_ objects: [JSONValue]) -> InformerCache<JSONValue> {
        let cache = InformerCache<JSONValue>(metadata: { JSONValue.objectMeta(of: $0) })
        cache.addIndex(MemberCacheTransform.ruleIndex, MemberCacheTransform.rule(of:))
        _ = cache.replace(with: objects)
        return cache
    }

    static let rule = ReplicationRule(
        metadata: ObjectMeta(name: "global", namespace: "shop"),
        spec: ReplicationRuleSpec(resources: [
            ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchLabels: ["scope": "global"])),
            ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", namePrefix: "ca-"),
        ]))

    @Test func theSourceReadsWhatAnyResourceSelects() {
        let cache = Self.cache([
            Self.configMap("flags", labels: ["scope": "global"]), Self.configMap("ca-root"), Self.configMap("ca-edge", labels: ["scope": "global"]),
            Self.configMap("local"), Self.configMap("other", labels: ["scope": "team"]),
        ])
        let names = ReplicationRuleReconciler.selected(by: Self.rule, Self.id, in: cache, scope: "shop").map(\.0.name)
        // ca-edge matches both resources, so it comes once from each (the read keeps one).
        #expect(names.sorted() == ["ca-edge", "ca-edge", "ca-root", "flags"])
    }

    @Test func aTargetReadsTheSelectedTheSameNamedAndTheStampedButNothingElse() {
        let stamp = Self.rule.ruleAnnotationValue
        let cache = Self.cache([
            Self.configMap("flags", labels: ["scope": "global"], rule: stamp),  // a replica
            Self.configMap("ca-root"),  // named like a source object, not stamped
            Self.configMap("orphan", rule: stamp),  // stamped, its source lost its label
            Self.configMap("written-here", labels: ["scope": "global"]),  // selected, only in this member
            Self.configMap("limits", rule: "shop/other"),  // another rule's replica
            Self.configMap("unrelated"),
        ])
        let sources: [ReplicaKey: JSONValue] = [
            ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: "flags"): Self.configMap("flags", labels: ["scope": "global"]),
            ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: "ca-root"): Self.configMap("ca-root"),
            ReplicaKey(apiVersion: "v1", kind: "Secret", name: "unrelated"): Self.configMap("unrelated"),
        ]
        var objects: [ReplicaKey: JSONValue] = [:]
        ReplicationRuleReconciler.collect(for: Self.rule, stamp: stamp, Self.id, in: cache, scope: "shop", sources: sources, into: &objects)
        #expect(Set(objects.keys.map(\.name)) == ["flags", "ca-root", "orphan", "written-here"])
        #expect(objects.keys.allSatisfy { $0.kind == "ConfigMap" && $0.apiVersion == "v1" })
    }
}
