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

    /// A copy the Mesh rule stamped in `writer` at wall time `at` (ms).
    static func meshCopy(_ name: String, _ value: String, writer: String, at: Int, labels: [String: String] = ["scope": "global"]) -> JSONValue {
        var object = configMap(name, labels: labels, rule: rule.ruleAnnotationValue)
        object["data"] = ["v": .string(value)]
        object["metadata"]?["annotations"]?[FederationAnnotation.hybridLogicalClock] = .string("\(1_800_000_000_000 + at).0@\(writer)")
        object["metadata"]?["annotations"]?[FederationAnnotation.sourceDatacenter] = .string(writer)
        let hash = ReplicaContent.hash(of: object)
        object["metadata"]?["annotations"]?[FederationAnnotation.contentHash] = .string(hash)
        return object
    }

    /// A Mesh pass plans the same from what `meshObjects` reads as from every object of the kind in
    /// every member: the selected and stamped objects of any member, and in each member those named
    /// like them (an object of that name the rule does not own is never written over).
    @Test func aMeshPassReadsOnlyWhatItsPlanActsOnAndPlansAsFromEveryObject() throws {
        var mesh = Self.rule
        mesh.spec.conflictResolution = .lastWriterWins
        let busy = (0..<50).map { Self.configMap("local-\($0)") }
        let members: [String: [JSONValue]] = [
            "us-east": busy + [
                Self.meshCopy("flags", "1", writer: "us-east", at: 2),  // written here, to be copied
                Self.meshCopy("limits", "1", writer: "us-east", at: 1),  // converged everywhere
                Self.meshCopy("gone", "1", writer: "us-west", at: 1),  // deleted by its writer, us-west
            ],
            "us-west": busy + [
                Self.meshCopy("limits", "1", writer: "us-east", at: 1),
                Self.configMap("ca-root"),  // selected by name prefix, only here
                Self.configMap("other-rule", labels: ["scope": "global"], rule: "shop/other"),  // another rule's, selected
            ],
            "eu-central": busy + [
                Self.configMap("flags"),  // same name, not selected and not stamped: never written over
                Self.meshCopy("limits", "2", writer: "eu-central", at: 5),  // changed later here
                Self.meshCopy("gone", "1", writer: "us-west", at: 1),
                Self.configMap("other-rule"),
            ],
        ]
        let regions = ["us-east": "us-east-1", "us-west": "us-west-2", "eu-central": "eu-central-1"]
        let id = Self.id
        var caches: [String: [ReplicationRuleReconciler.KindCache]] = [:]
        for (name, objects) in members { caches[name] = [(id, Self.cache(objects), "shop")] }
        let read = ReplicationRuleReconciler.meshObjects(in: caches, of: mesh)
        func views(_ objects: [String: [ReplicaKey: JSONValue]]) -> [ReplicationTargetView] {
            objects.keys.sorted().map { ReplicationTargetView(datacenter: $0, region: regions[$0] ?? "", objects: objects[$0] ?? [:]) }
        }
        let everything = members.mapValues { objects in
            Dictionary(objects.map { (ReplicaKey(apiVersion: id.apiVersion, kind: id.kind, name: ReplicaContent.name(of: $0)), $0) }, uniquingKeysWith: { a, _ in a })
        }
        let now = Date(timeIntervalSince1970: 1_800_000_100)
        let planned = planMeshReplication(rule: mesh, epoch: 1, members: views(read), now: now)
        let full = planMeshReplication(rule: mesh, epoch: 1, members: views(everything), now: now)
        #expect(planned == full)
        #expect(planned.objects == 4, "flags, limits, gone and ca-root (other-rule is not the rule's)")
        #expect(read.values.allSatisfy { !$0.keys.contains { $0.name.hasPrefix("local-") } }, "the busy namespace is never read")
        #expect(Set(try #require(read["eu-central"]).keys.map(\.name)) == ["flags", "limits", "gone", "other-rule"])
        // Not vacuous: the pass copies flags to us-west and leaves eu-central's own flags alone.
        let east = try #require(planned.targets.first { $0.datacenter == "us-east" })
        let eu = try #require(planned.targets.first { $0.datacenter == "eu-central" })
        #expect(!east.writes.isEmpty && !eu.effects.isEmpty)
        let west = try #require(planned.targets.first { $0.datacenter == "us-west" })
        #expect(west.writes.contains { if case .create(let w) = $0 { w.key.name == "flags" } else { false } })
        #expect(!eu.writes.contains { if case .create(let w) = $0 { w.key.name == "flags" } else { false } })
    }
}
