import KubernetesAPI

extension StrategicMergeEngine {
    /// Merges a patch list into the original list at `path` by the schema's strategy, then applies
    /// `$deleteFromPrimitiveList` and `$setElementOrder` for that field.
    func mergeList(
        _ original: [JSONValue]?, _ patch: [JSONValue], path: [String], deletions: JSONValue?, order: JSONValue?
    ) throws -> [JSONValue] {
        let existing = original ?? []
        var merged: [JSONValue]
        let identity: (JSONValue) -> JSONValue?
        switch schema.strategy(at: path) {
        case nil:
            // Replaced whole; directives only make sense for the two merge strategies.
            merged = try patch.map { try stripDirectives($0, path: path) }
            identity = { $0 }
        case .mergePrimitives?:
            merged = try mergePrimitives(existing, patch, path: path)
            identity = { $0 }
        case .mergeByKey(let mergeKey)?:
            merged = try mergeByKey(existing, patch, mergeKey: mergeKey, path: path)
            identity = { $0[mergeKey] }
        }
        if let deletions {
            guard let values = deletions.arrayValue else {
                throw PatchError.badRequest("\"$deleteFromPrimitiveList/\(path.last ?? "")\" must be a list")
            }
            merged.removeAll { element in values.contains { $0.isJSONEqual(to: element) } }
        }
        if let order {
            guard let entries = order.arrayValue else {
                throw PatchError.badRequest("\"$setElementOrder/\(path.last ?? "")\" must be a list")
            }
            merged = reorder(merged, original: existing, order: entries.compactMap(identity), identity: identity)
        }
        return merged
    }

    private func mergePrimitives(_ original: [JSONValue], _ patch: [JSONValue], path: [String]) throws -> [JSONValue] {
        if patch.contains(where: Self.isReplaceMarker) {
            return patch.filter { !Self.isReplaceMarker($0) }
        }
        var result = original
        for value in patch {
            switch value {
            case .object, .array:
                throw PatchError.badRequest("the list at \(display(path)) holds primitive values, not \(value.typeName)s")
            default:
                if !result.contains(where: { $0.isJSONEqual(to: value) }) { result.append(value) }
            }
        }
        return result
    }

    private func mergeByKey(_ original: [JSONValue], _ patch: [JSONValue], mergeKey: String, path: [String]) throws -> [JSONValue] {
        if patch.contains(where: Self.isReplaceMarker) {
            return try patch.filter { !Self.isReplaceMarker($0) }.map { try stripDirectives($0, path: path) }
        }
        var result = original
        for element in patch {
            guard case .object(let members) = element else {
                throw PatchError.badRequest("the list at \(display(path)) holds objects merged by \"\(mergeKey)\", not \(element.typeName)s")
            }
            guard let keyValue = members[mergeKey] else {
                throw PatchError.unprocessable("an element of \(display(path)) does not contain the merge key \"\(mergeKey)\"")
            }
            let index = result.firstIndex { $0[mergeKey]?.isJSONEqual(to: keyValue) == true }
            if members[StrategicDirective.patch]?.stringValue == "delete" {
                result.removeAll { $0[mergeKey]?.isJSONEqual(to: keyValue) == true }
                continue
            }
            if let index {
                if let mergedElement = try mergeMap(result[index].objectValue ?? [:], members, path: path) {
                    result[index] = .object(mergedElement)
                } else {
                    result.remove(at: index)
                }
            } else if let added = try mergeMap([:], members, path: path) {
                result.append(.object(added))
            }
        }
        return result
    }

    /// A value as it stands once its directives are applied to nothing (for lists replaced whole).
    private func stripDirectives(_ value: JSONValue, path: [String]) throws -> JSONValue {
        guard case .object(let members) = value else { return value }
        return .object(try mergeMap([:], members, path: path) ?? [:])
    }

    /// `{"$patch": "replace"}` inside a list: the patch list replaces the original.
    private static func isReplaceMarker(_ element: JSONValue) -> Bool {
        guard case .object(let members) = element else { return false }
        return members.count == 1 && members[StrategicDirective.patch]?.stringValue == "replace"
    }

    /// Orders `items` by `$setElementOrder`: the listed elements in the given order, elements not
    /// listed (known only to the server) interleaved where they stood in the original list.
    private func reorder(
        _ items: [JSONValue], original: [JSONValue], order: [JSONValue], identity: (JSONValue) -> JSONValue?
    ) -> [JSONValue] {
        func position(_ item: JSONValue, in list: [JSONValue]) -> Int? {
            guard let id = identity(item) else { return nil }
            return list.firstIndex { $0.isJSONEqual(to: id) }
        }
        let originalIDs = original.compactMap(identity)
        let listed = items.filter { position($0, in: order) != nil }
            .sorted { (position($0, in: order) ?? 0) < (position($1, in: order) ?? 0) }
        let serverOnly = items.filter { position($0, in: order) == nil }
        var result: [JSONValue] = []
        result.reserveCapacity(items.count)
        var server = serverOnly[...], patched = listed[...]
        while let left = server.first, let right = patched.first {
            if let l = position(left, in: originalIDs), let r = position(right, in: originalIDs), l < r {
                result.append(left)
                server = server.dropFirst()
            } else {
                result.append(right)
                patched = patched.dropFirst()
            }
        }
        return result + server + patched
    }
}
