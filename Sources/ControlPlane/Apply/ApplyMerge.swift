import KubernetesAPI

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
            return .array(mergeElements(
                live: Array(zip(liveSteps, current)), applied: Array(zip(appliedSteps, applied)), schema: schema.element))
        case (_, .object(let members)):
            if schema.isAtomicMap && !isRoot { return config }
            return merge(.object([:]), .object(members.filter { !$0.value.isNull }), schema: schema, isRoot: isRoot)
        default:
            return config
        }
    }

    /// The elements of a set or list-map after an apply. Elements in both lists are merged and follow the applied
    /// order; elements only in the live list keep their place; new elements come just before the shared element
    /// the applied list puts after them.
    private static func mergeElements(
        live: [(PathElement, JSONValue)], applied: [(PathElement, JSONValue)], schema: ApplySchema
    ) -> [JSONValue] {
        let liveByStep = Dictionary(uniqueKeysWithValues: live.map { ($0.0, $0.1) })
        let appliedSteps = Set(applied.map(\.0))
        var result: [JSONValue] = []
        var emitted = Set<PathElement>()
        var l = 0, a = 0
        func emitApplied() {
            let (step, element) = applied[a]
            result.append(merge(liveByStep[step], element, schema: schema, isRoot: false))
            emitted.insert(step)
            a += 1
        }
        while l < live.count || a < applied.count {
            guard l < live.count else {
                emitApplied()
                continue
            }
            let (step, element) = live[l]
            if a < applied.count && applied[a].0 == step {
                emitApplied()
                l += 1
            } else if emitted.contains(step) {
                l += 1
            } else if !appliedSteps.contains(step) {
                result.append(element)
                l += 1
            } else if a < applied.count, applied[a...].first(where: { liveByStep[$0.0] != nil && !emitted.contains($0.0) })?.0 == step {
                // The next shared element in applied order: first the new elements the applied list puts before it.
                emitApplied()
            } else {
                // A shared element the applied list moves later: it comes when the applied list reaches it.
                l += 1
            }
        }
        return result
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
