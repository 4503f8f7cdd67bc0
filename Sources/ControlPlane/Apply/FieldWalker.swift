import KubernetesAPI

/// What is at a member path of an object: a leaf value, or a node with members below it.
enum FieldLeaf: Hashable, Sendable {
    case node
    case value(JSONValue)
}

/// The members of an object: every path server-side apply can own, with the leaf values to compare.
///
/// Scalars, atomic lists and maps, nulls and empty objects are leaves. Non-empty maps, list-map elements and
/// set values are members too. Structs (objects with declared fields) are only implied by their members.
enum FieldWalker {
    /// All members of `object` under `schema`.
    static func members(of object: JSONValue, schema: ApplySchema) -> [ManagedPath: FieldLeaf] {
        var out: [ManagedPath: FieldLeaf] = [:]
        walk(object, schema, [], &out)
        return out
    }

    private static func walk(_ value: JSONValue, _ schema: ApplySchema, _ path: ManagedPath, _ out: inout [ManagedPath: FieldLeaf]) {
        switch value {
        case .object(let members) where !schema.isAtomicMap || path.isEmpty:
            for (name, child) in members {
                let childPath = path + [.field(name)]
                let childSchema = schema.child(name)
                walk(child, childSchema, childPath, &out)
                if child.isNull || child.objectValue?.isEmpty == true || child.arrayValue?.isEmpty == true {
                    out[childPath] = .value(child)
                } else if child.objectValue != nil, childSchema.isMap, !childSchema.isAtomicMap {
                    out[childPath] = .node
                }
            }
        case .array(let elements) where !path.isEmpty:
            guard let steps = elementSteps(elements, schema.listKind) else {
                out[path] = .value(value)
                return
            }
            let elementSchema = schema.element
            for (step, element) in zip(steps, elements) {
                let elementPath = path + [step]
                if case .value = step {
                    out[elementPath] = .value(element)
                } else {
                    walk(element, elementSchema, elementPath, &out)
                    out[elementPath] = .node
                }
            }
        default:
            if !path.isEmpty { out[path] = .value(value) }
        }
    }

    /// The path element of each element of a set or list-map; nil when the list is atomic or its elements
    /// do not identify themselves uniquely (then it is owned whole).
    static func elementSteps(_ elements: [JSONValue], _ kind: ListKind) -> [PathElement]? {
        let steps: [PathElement]
        switch kind {
        case .atomic: return nil
        case .set:
            guard elements.allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil }) else { return nil }
            steps = elements.map { PathElement.value($0) }
        case .map(let keys, let defaults):
            var result: [PathElement] = []
            for element in elements {
                guard let fields = element.objectValue else { return nil }
                var key = fields.filter { keys.contains($0.key) }
                if !key.isEmpty {
                    for (name, value) in defaults where key[name] == nil { key[name] = value }
                }
                guard !key.isEmpty else { return nil }
                result.append(.key(key))
            }
            steps = result
        }
        return Set(steps).count == steps.count ? steps : nil
    }

    /// The step that identifies `element` in a list of `kind`, if any.
    static func step(for element: JSONValue, _ kind: ListKind) -> PathElement? {
        elementSteps([element], kind)?.first
    }
}

/// The differences between two versions of an object, as member paths.
struct FieldComparison: Sendable {
    /// Members in the new version only.
    var added: FieldSet
    /// Members in the old version only.
    var removed: FieldSet
    /// Leaves in both whose value differs.
    var modified: FieldSet

    /// Added or modified: what a writer of the new version changes.
    var changed: FieldSet { added.union(modified) }

    init(old: [ManagedPath: FieldLeaf], new: [ManagedPath: FieldLeaf]) {
        let oldKeys = Set(old.keys), newKeys = Set(new.keys)
        added = FieldSet(newKeys.subtracting(oldKeys))
        removed = FieldSet(oldKeys.subtracting(newKeys))
        modified = FieldSet(oldKeys.intersection(newKeys).filter { old[$0] != new[$0] })
    }
}
