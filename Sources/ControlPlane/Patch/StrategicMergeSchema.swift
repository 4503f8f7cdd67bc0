/// How a list field merges under a strategic merge patch.
public enum ListMergeStrategy: Sendable, Hashable {
    /// Elements are objects identified by this key (`patchStrategy:"merge"`, `patchMergeKey`): patch
    /// elements merge into the element with the same key or are appended.
    case mergeByKey(String)
    /// Elements are primitives forming a set (`patchStrategy:"merge"` on a primitive list): patch values
    /// are added when absent.
    case mergePrimitives
}

/// The list merge strategies of one kind, by field path. Lists not in the table are replaced whole.
///
/// A path names object members from the root; a list's elements add no step, so
/// `spec.template.spec.containers.env` is the `env` list of every container.
public struct StrategicMergeSchema: Sendable, Hashable {
    /// Strategies by dotted path.
    public var lists: [String: ListMergeStrategy]

    /// Creates a schema from a table.
    public init(lists: [String: ListMergeStrategy]) { self.lists = lists }

    /// The strategy of the list at `path`, or nil when it is replaced whole.
    public func strategy(at path: [String]) -> ListMergeStrategy? { lists[path.joined(separator: ".")] }

    /// This schema plus `other`'s entries (which win).
    public func merging(_ other: StrategicMergeSchema) -> StrategicMergeSchema {
        StrategicMergeSchema(lists: lists.merging(other.lists) { _, new in new })
    }

    /// The same strategies moved under `prefix` (for embedded types such as a pod template).
    public func nested(under prefix: String) -> StrategicMergeSchema {
        StrategicMergeSchema(lists: Dictionary(uniqueKeysWithValues: lists.map { ("\(prefix).\($0.key)", $0.value) }))
    }

    /// The schema for a built-in kind (by `kind`, e.g. `Deployment`); kinds without list
    /// strategies of their own get the ObjectMeta rules, which every object has.
    public static func forKind(_ kind: String) -> StrategicMergeSchema {
        builtInKinds[kind] ?? objectMeta
    }
}

extension StrategicMergeSchema {
    /// ObjectMeta at the root: `finalizers` is a set, `ownerReferences` merge by `uid`.
    public static let objectMeta = StrategicMergeSchema(lists: [
        "metadata.finalizers": .mergePrimitives,
        "metadata.ownerReferences": .mergeByKey("uid"),
    ])

    /// A `Condition` list at `status.conditions`, merged by `type`.
    public static let statusConditions = StrategicMergeSchema(lists: ["status.conditions": .mergeByKey("type")])

    /// A container's lists, relative to the container.
    static let container = StrategicMergeSchema(lists: [
        "ports": .mergeByKey("containerPort"),
        "env": .mergeByKey("name"),
        "volumeMounts": .mergeByKey("mountPath"),
        "volumeDevices": .mergeByKey("devicePath"),
    ])

    /// A PodSpec's lists (and its containers'), relative to the PodSpec.
    public static let podSpec: StrategicMergeSchema = {
        var lists: [String: ListMergeStrategy] = [
            "volumes": .mergeByKey("name"),
            "imagePullSecrets": .mergeByKey("name"),
            "hostAliases": .mergeByKey("ip"),
            "topologySpreadConstraints": .mergeByKey("topologyKey"),
            "resourceClaims": .mergeByKey("name"),
            "schedulingGates": .mergeByKey("name"),
        ]
        for field in ["containers", "initContainers", "ephemeralContainers"] {
            lists[field] = .mergeByKey("name")
            lists.merge(container.nested(under: field).lists) { _, new in new }
        }
        return StrategicMergeSchema(lists: lists)
    }()

    /// A PodTemplateSpec's lists (metadata and spec), relative to the template.
    static let podTemplate = objectMeta.merging(podSpec.nested(under: "spec"))

    /// Built-in kinds with list strategies beyond ObjectMeta's. Extend by adding entries.
    public static let builtInKinds: [String: StrategicMergeSchema] = [
        "Service": objectMeta.merging(statusConditions).merging(StrategicMergeSchema(lists: ["spec.ports": .mergeByKey("port")])),
        "Deployment": objectMeta.merging(statusConditions).merging(podTemplate.nested(under: "spec.template")),
        "ReplicaSet": objectMeta.merging(statusConditions).merging(podTemplate.nested(under: "spec.template")),
        "StatefulSet": objectMeta.merging(statusConditions).merging(podTemplate.nested(under: "spec.template")),
        "DaemonSet": objectMeta.merging(statusConditions).merging(podTemplate.nested(under: "spec.template")),
        "Job": objectMeta.merging(statusConditions).merging(podTemplate.nested(under: "spec.template")),
        "Pod": objectMeta.merging(statusConditions).merging(podSpec.nested(under: "spec")),
        "Namespace": objectMeta.merging(statusConditions),
    ]
}
