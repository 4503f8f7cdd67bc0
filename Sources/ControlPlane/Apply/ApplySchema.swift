import KubernetesAPI

/// How a list's elements are identified for ownership and merging.
enum ListKind: Hashable, Sendable {
    /// The list is one value, owned and replaced whole.
    case atomic
    /// A set of unique scalars; each value is owned on its own (`v:`).
    case set
    /// A list-map: objects identified by these key fields (`k:{…}`); a key field an element leaves out takes
    /// its default, when it has one.
    case map(keys: [String], defaults: [String: JSONValue] = [:])
}

/// The shape information server-side apply needs at one point of an object: which lists are sets or maps,
/// and which objects are maps (members of their own) rather than structs with declared fields.
///
/// Custom resources use their CRD's OpenAPI schema (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`,
/// `x-kubernetes-map-type`); where the schema says nothing (preserved unknown fields) every object is a map.
/// Built-in kinds use the strategic-merge table (merge keys are list-map keys, merged primitive lists are sets)
/// and their partial OpenAPI schemas.
struct ApplySchema: Sendable {
    /// The OpenAPI node at this point, when known.
    var node: JSONValue?
    /// Member names from the root, list elements adding no step (the strategic-merge table's convention).
    var names: [String]
    /// The built-in kind's strategic-merge table; nil for custom resources.
    var strategic: StrategicMergeSchema?

    /// The schema of a whole object of `definition`.
    init(definition: ResourceDefinition) {
        self.init(node: definition.schema, names: [], strategic: definition.isCustom ? nil : StrategicMergeSchema.forKind(definition.kind))
    }

    init(node: JSONValue?, names: [String], strategic: StrategicMergeSchema?) {
        self.node = node
        self.names = names
        self.strategic = strategic
    }

    /// True for custom resources, whose unknown parts are typed by deduction (every object a map).
    private var deduced: Bool { strategic == nil }

    /// The schema of member `name` of the object here.
    func child(_ name: String) -> ApplySchema {
        if names.isEmpty && name == "metadata" {
            return ApplySchema(node: Self.objectMeta, names: ["metadata"], strategic: strategic)
        }
        var next: JSONValue?
        if let p = node?["properties"]?[name] {
            next = p
        } else if let ap = node?["additionalProperties"], ap.objectValue != nil {
            next = ap
        }
        return ApplySchema(node: next, names: names + [name], strategic: strategic)
    }

    /// The schema of this list's elements.
    var element: ApplySchema { ApplySchema(node: node?["items"], names: names, strategic: strategic) }

    /// How the list here is identified.
    var listKind: ListKind {
        switch node?["x-kubernetes-list-type"]?.stringValue {
        case "map":
            let keys = node?["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return keys.isEmpty ? .atomic : .map(keys: keys)
        case "set": return .set
        case "atomic": return .atomic
        default: break
        }
        switch strategic?.strategy(at: names) {
        case .mergeByKey(let key)? where Self.protocolKeyed.contains(key):
            // Ports are keyed by number and protocol, which defaults to TCP.
            return .map(keys: [key, "protocol"], defaults: ["protocol": "TCP"])
        case .mergeByKey(let key)?: return .map(keys: [key])
        case .mergePrimitives?: return .set
        case nil: return .atomic
        }
    }

    /// True when the object here is owned whole (`x-kubernetes-map-type: atomic`).
    var isAtomicMap: Bool {
        node?["x-kubernetes-map-type"]?.stringValue == "atomic"
    }

    /// True when the object here is a map (string keys to values of one type, or unknown fields) rather than a
    /// struct with declared fields: a non-empty map is a member of its own (`"."` in `fieldsV1`).
    var isMap: Bool {
        guard let node else { return deduced || Self.builtinMaps.contains(names.last ?? "") }
        if node["properties"] != nil { return false }
        if node["additionalProperties"] != nil { return true }
        if !deduced { return Self.builtinMaps.contains(names.last ?? "") }
        return true
    }

    /// Merge keys of built-in port lists, whose list-map keys add `protocol`.
    private static let protocolKeyed: Set<String> = ["containerPort", "port"]

    /// Built-in fields that are maps where the partial built-in schemas do not say so.
    private static let builtinMaps: Set<String> = ["matchLabels", "nodeSelector", "limits", "requests", "labels", "annotations", "data", "binaryData"]

    /// ObjectMeta as server-side apply types it.
    static let objectMeta: JSONValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string"], "generateName": ["type": "string"], "namespace": ["type": "string"],
            "labels": ["type": "object", "additionalProperties": ["type": "string"]],
            "annotations": ["type": "object", "additionalProperties": ["type": "string"]],
            "finalizers": ["type": "array", "items": ["type": "string"], "x-kubernetes-list-type": "set"],
            "ownerReferences": [
                "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["uid"],
                "items": [
                    "type": "object",
                    "properties": [
                        "apiVersion": ["type": "string"], "kind": ["type": "string"], "name": ["type": "string"],
                        "uid": ["type": "string"], "controller": ["type": "boolean"], "blockOwnerDeletion": ["type": "boolean"],
                    ],
                ],
            ],
        ],
    ]
}
