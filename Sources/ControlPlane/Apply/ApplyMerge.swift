import FederationAPI

/// The structural merge of an applied configuration into the live object, and removal of members by path.
enum ApplyMerge {
    /// `config` merged into `live`: objects member by member, list-maps element by key, sets by value; atomic
    /// lists, atomic maps and scalars are replaced. A null in the configuration removes the member.
    static func merge(_ live: JSONValue?, _ config: JSONValue, schema: ApplySchema, isRoot: Bool = true) -> JSONValue {
        switch (live, config) {
        case (.object(var result)?, .object(let members)) where isRoot || !schema.isAtomicMap:
            for (name, value) in members {
                if value.isNull {
                    result[name] = nil
                } else {
                    result[name] = merge(result[name], value, schema: schema.child(name), isRoot: false)
                }
            }
            return .object(result)
        case (.array(let current)?, .array(let applied)):
            let kind = schema.listKind
            guard let liveSteps = FieldWalker.elementSteps(current, kind), let appliedSteps = FieldWalker.elementSteps(applied, kind) else {
                return config
            }
            var result = current
            var positions = Dictionary(uniqueKeysWithValues: liveSteps.enumerated().map { ($0.element, $0.offset) })
            for (step, element) in zip(appliedSteps, applied) {
                if let i = positions[step] {
                    result[i] = merge(result[i], element, schema: schema.element, isRoot: false)
                } else {
                    positions[step] = result.count
                    result.append(element)
                }
            }
            return .array(result)
        case (_, .object(let members)):
            if schema.isAtomicMap && !isRoot { return config }
            return merge(.object([:]), .object(members.filter { !$0.value.isNull }), schema: schema, isRoot: isRoot)
        default:
            return config
        }
    }

    /// `object` without the member at `path`; containers left empty by the removal go too unless `keep`
    /// says they are owned. Missing paths are ignored.
    static func remove(_ path: ManagedPath, from object: JSONValue, schema: ApplySchema, keep: (ManagedPath) -> Bool) -> JSONValue {
        removing(path[...], from: object, schema: schema, prefix: [], keep: keep) ?? object
    }

    /// The value without the member; nil when the value itself should disappear.
    private static func removing(
        _ path: ArraySlice<PathElement>, from value: JSONValue, schema: ApplySchema, prefix: ManagedPath, keep: (ManagedPath) -> Bool
    ) -> JSONValue? {
        guard let step = path.first else { return nil }
        let rest = path.dropFirst()
        switch (step, value) {
        case (.field(let name), .object(var members)):
            guard let child = members[name] else { return value }
            members[name] = removing(rest, from: child, schema: schema.child(name), prefix: prefix + [step], keep: keep)
            return members.isEmpty && !prefix.isEmpty && !keep(prefix) ? nil : .object(members)
        case (.key, .array(var elements)), (.value, .array(var elements)):
            let kind = schema.listKind
            guard let i = elements.firstIndex(where: { FieldWalker.step(for: $0, kind) == step }) else { return value }
            if let updated = removing(rest, from: elements[i], schema: schema.element, prefix: prefix + [step], keep: keep) {
                elements[i] = updated
            } else {
                elements.remove(at: i)
            }
            return elements.isEmpty && !keep(prefix) ? nil : .array(elements)
        case (.index(let i), .array(var elements)) where elements.indices.contains(i):
            if let updated = removing(rest, from: elements[i], schema: schema.element, prefix: prefix + [step], keep: keep) {
                elements[i] = updated
            } else {
                elements.remove(at: i)
            }
            return elements.isEmpty && !keep(prefix) ? nil : .array(elements)
        default:
            return value
        }
    }
}
