/// Which fields a field selector may name, per resource, as kube-apiserver allows them.
///
/// Every resource supports `metadata.name` and `metadata.namespace`; some built-in resources add
/// their own. Custom resources add the `selectableFields` of their CRD version via `adding(_:)`.
public struct SelectableFields: Sendable, Hashable {
    /// The supported field paths.
    public var fields: Set<String>

    /// Creates a set of supported fields.
    public init(_ fields: Set<String>) { self.fields = fields }

    /// These fields plus `more`.
    public func adding(_ more: some Sequence<String>) -> SelectableFields {
        SelectableFields(fields.union(more))
    }

    /// Fields every resource supports.
    public static let common = SelectableFields(["metadata.name", "metadata.namespace"])

    /// Extra fields of built-in resources, keyed by plural resource name (group-qualified outside the core group).
    public static let builtInExtras: [String: Set<String>] = [
        "events": [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
            "reason", "reportingComponent", "source", "type",
        ],
        "events.events.k8s.io": [
            "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
            "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath",
            "reason", "reportingController", "type",
        ],
        "secrets": ["type"],
        "namespaces": ["status.phase"],
        "pods": ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
        "services": ["spec.clusterIP", "spec.type"],
        "replicasets.apps": ["status.replicas"],
        "jobs.batch": ["status.successful"],
        "nodes": ["spec.unschedulable"],
    ]

    /// The fields supported for `resource` (group-qualified plural, as in ``StorageKey/resource``).
    public static func forResource(_ resource: String) -> SelectableFields {
        common.adding(builtInExtras[resource] ?? [])
    }
}
