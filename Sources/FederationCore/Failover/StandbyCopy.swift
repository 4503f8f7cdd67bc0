import FederationAPI
import Foundation

/// The objects Concord keeps in a failover datacenter for a ServiceFailover: copies of the
/// workload and of the Service read from the datacenter where they are defined natively.
///
/// A copy is the source's content (its `spec` and other top-level fields, minus fields only the
/// source's cluster may assign, such as a Service's `clusterIP`), the source's labels and copied
/// annotations, and Concord's stamps: `federation.concord.dev/managed`, the owning
/// ServiceFailover's name, the source datacenter and revision, and a content hash that tells
/// whether the copy is current. A workload copy carries the replicas Concord wants in that
/// datacenter (0 for a warm standby).
public enum StandbyCopy {
    /// Service `spec` fields a copy drops: the member assigns its own.
    static let serviceAssignedFields = ["clusterIP", "clusterIPs", "healthCheckNodePort", "ipFamilies", "ipFamilyPolicy"]

    /// True when `object` is a copy Concord wrote (label `federation.concord.dev/managed: "true"`);
    /// an object without it is the user's and Concord only scales it.
    public static func isCopy(_ object: JSONValue) -> Bool {
        object.value(at: ["metadata", "labels", FederationLabel.managed])?.stringValue == "true"
    }

    /// The copy of `source` for ServiceFailover `owner`, read from `sourceDatacenter`. For a
    /// workload, `replicas` sets `spec.replicas`; for a Service it is nil.
    public static func copy(of source: JSONValue, owner: String, sourceDatacenter: String, replicas: Int?) -> JSONValue {
        var content = ReplicaContent.content(of: source)
        if replicas == nil, var spec = content["spec"] {
            for field in serviceAssignedFields { spec[field] = nil }
            if let ports = spec["ports"]?.arrayValue {
                spec["ports"] = .array(ports.map { port in
                    var port = port
                    port["nodePort"] = nil
                    return port
                })
            }
            content["spec"] = spec
        }
        let hash = ReplicaContent.hash(of: content)
        if let replicas { content.setValue(.int(Int64(replicas)), at: ["spec", "replicas"]) }
        var labels = ReplicaContent.copiedLabels(of: source)
        labels[FederationLabel.managed] = "true"
        labels[FederationLabel.serviceFailover] = owner
        var annotations = ReplicaContent.copiedAnnotations(of: source)
        annotations[FederationAnnotation.sourceDatacenter] = sourceDatacenter
        annotations[FederationAnnotation.contentHash] = hash
        if let revision = ReplicaContent.resourceVersion(of: source) { annotations[FederationAnnotation.sourceRevision] = revision }
        var copy = content
        copy["apiVersion"] = source["apiVersion"]
        copy["kind"] = source["kind"]
        copy["metadata"] = .object([
            "name": .string(ReplicaContent.name(of: source)),
            "namespace": source["metadata"]?["namespace"] ?? .null,
            "labels": .object(labels.mapValues(JSONValue.string)),
            "annotations": .object(annotations.mapValues(JSONValue.string)),
        ])
        return copy
    }

    /// True when `existing` (a copy in a member) already holds what ``copy(of:owner:sourceDatacenter:replicas:)``
    /// would write: the same content hash, the same labels and copied annotations, and the same replicas.
    public static func isCurrent(_ existing: JSONValue, wanted: JSONValue) -> Bool {
        let hash = FederationAnnotation.contentHash
        guard isCopy(existing), existing.value(at: ["metadata", "annotations", hash]) == wanted.value(at: ["metadata", "annotations", hash]) else {
            return false
        }
        guard existing.value(at: ["spec", "replicas"]) == wanted.value(at: ["spec", "replicas"]) else { return false }
        return ReplicaContent.metadataCopied(from: wanted, to: existing)
    }

    /// `spec.replicas` of a workload (1 when omitted, as the Deployment API defaults it).
    public static func replicas(of workload: JSONValue) -> Int {
        Int(workload.value(at: ["spec", "replicas"])?.intValue ?? 1)
    }

    /// `status.readyReplicas` of a workload (0 when absent).
    public static func readyReplicas(of workload: JSONValue) -> Int {
        Int(workload.value(at: ["status", "readyReplicas"])?.intValue ?? 0)
    }

    /// Whether a workload's status describes its current spec: `status.observedGeneration` is at
    /// least `metadata.generation`. A kind whose status reports no observed generation counts as current.
    public static func statusIsCurrent(_ workload: JSONValue) -> Bool {
        guard let observed = workload.value(at: ["status", "observedGeneration"])?.intValue else { return true }
        return observed >= workload.value(at: ["metadata", "generation"])?.intValue ?? 0
    }
}
