import FederationAPI
import FederationCore
import Foundation

/// Objects, rules and targets for the replication planning tests.
enum Repl {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let ruleID = "shop/global"

    static func rule(
        _ strategy: ConflictResolution = .sourceWins, deletion: DeletionPolicy = .propagate, regions: [String]? = nil, selecting labels: [String: String]? = nil
    ) -> ReplicationRule {
        ReplicationRule(
            metadata: ObjectMeta(name: "global", namespace: "shop", generation: 2),
            spec: ReplicationRuleSpec(
                resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: labels.map { LabelSelector(matchLabels: $0) })],
                conflictResolution: strategy, deletion: deletion,
                residency: regions.map { Residency(allowedRegions: $0) }))
    }

    static func key(_ name: String) -> ReplicaKey { ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: name) }

    /// A source ConfigMap at resourceVersion `rv`.
    static func source(_ name: String, _ value: String, rv: String = "10", labels: [String: String] = [:]) -> JSONValue {
        var metadata: [String: JSONValue] = ["name": .string(name), "namespace": "shop", "resourceVersion": .string(rv)]
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata), "data": ["v": .string(value)]]
    }

    /// A replica as Concord wrote it from `source`-at-`rv` with content `written`, now holding `value`.
    static func replica(
        _ name: String, _ value: String, written: String? = nil, rv: String = "10", from dc: String = "us-east", rule: String = ruleID,
        hlc: String = "1799999999000.0@us-east", resolution: String? = nil, labels: [String: String] = [:]
    ) -> JSONValue {
        var annotations: [String: JSONValue] = [
            FederationAnnotation.rule: .string(rule), FederationAnnotation.sourceDatacenter: .string(dc),
            FederationAnnotation.sourceRevision: .string(rv), FederationAnnotation.epoch: "1",
            FederationAnnotation.contentHash: .string(ReplicaContent.hash(of: source(name, written ?? value))),
            FederationAnnotation.hybridLogicalClock: .string(hlc),
        ]
        if let resolution { annotations[FederationAnnotation.resolution] = .string(resolution) }
        var metadata: [String: JSONValue] = ["name": .string(name), "namespace": "shop", "resourceVersion": "500", "annotations": .object(annotations)]
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata), "data": ["v": .string(value)]]
    }

    static func target(_ name: String, region: String, _ objects: [String: JSONValue] = [:]) -> ReplicationTargetView {
        ReplicationTargetView(datacenter: name, region: region, objects: Dictionary(uniqueKeysWithValues: objects.map { (key($0.key), $0.value) }))
    }

    static func sources(_ objects: [String: JSONValue]) -> [ReplicaKey: JSONValue] {
        Dictionary(uniqueKeysWithValues: objects.map { (key($0.key), $0.value) })
    }

    /// Effects described as short strings: `create a`, `update a`, `delete a`, `conflict a Restored`, …
    static func describe(_ effects: [ReplicationEffect]) -> [String] {
        effects.map { effect in
            switch effect {
            case .deleteOutsideResidency(let k): "evict \(k.name)"
            case .blocked(let k): "blocked \(k.name)"
            case .conflict(let c): "conflict \(c.key.name) \(c.outcome.rawValue)"
            case .create(let w): "create \(w.key.name)" + (w.clearResolution ? " clear" : "")
            case .update(let w): "update \(w.key.name)" + (w.clearResolution ? " clear" : "")
            case .adopt(let a): "adopt \(a.key.name)"
            case .delete(let k): "delete \(k.name)"
            case .release(let k): "release \(k.name)"
            }
        }
    }
}
