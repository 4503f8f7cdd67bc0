import KubernetesAPI

/// Strategic merge patch, `application/strategic-merge-patch+json`, for built-in kinds.
///
/// Maps merge as in a JSON merge patch (`null` deletes). Lists merge according to the kind's
/// ``StrategicMergeSchema`` (by merge key, as a primitive set, or replaced whole), and these
/// directives are honoured:
/// - `$patch: replace | delete | merge` in a map, and `{"$patch": "replace"}` / `{"$patch": "delete", key: v}` in a list;
/// - `$retainKeys: [..]` (members of the map outside the list are cleared);
/// - `$deleteFromPrimitiveList/<field>: [..]` (values removed from a primitive list);
/// - `$setElementOrder/<field>: [..]` (the final order of a merged list).
public enum StrategicMergePatch {
    /// Applies `patch` to `original` using the list strategies of `schema`.
    public static func apply(_ patch: JSONValue, to original: JSONValue, schema: StrategicMergeSchema) throws -> JSONValue {
        guard case .object(let patchMembers) = patch else {
            throw PatchError.badRequest("a strategic merge patch must be a JSON object, not \(patch.typeName)")
        }
        guard case .object(let originalMembers) = original else {
            throw PatchError.unprocessable("a strategic merge patch applies to a JSON object, not \(original.typeName)")
        }
        let engine = StrategicMergeEngine(schema: schema)
        guard let merged = try engine.mergeMap(originalMembers, patchMembers, path: []) else {
            throw PatchError.badRequest("\"$patch\": \"delete\" cannot delete the whole object; use DELETE")
        }
        return .object(merged)
    }
}

/// Directive names of the strategic merge patch format.
enum StrategicDirective {
    static let patch = "$patch"
    static let retainKeys = "$retainKeys"
    static let deleteFromPrimitiveList = "$deleteFromPrimitiveList/"
    static let setElementOrder = "$setElementOrder/"

    /// True for a member name that is a directive rather than data.
    static func isDirective(_ key: String) -> Bool {
        key == patch || key == retainKeys || key.hasPrefix(deleteFromPrimitiveList) || key.hasPrefix(setElementOrder)
    }
}

/// The recursive merge, parameterised by the kind's list strategies.
struct StrategicMergeEngine {
    let schema: StrategicMergeSchema

    /// Merges a patch map into an original map; nil means the map is deleted (`$patch: delete`).
    func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue], path: [String]) throws -> [String: JSONValue]? {
        if let directive = patch[StrategicDirective.patch] {
            switch directive.stringValue {
            case "replace"?:
                var replacement = patch
                replacement[StrategicDirective.patch] = nil
                return try mergeMap([:], replacement, path: path)
            case "delete"?:
                return nil
            case "merge"?:
                break
            default:
                throw PatchError.badRequest("unknown patch type \(directive.jsonString()) in \"$patch\" at \(display(path))")
            }
        }
        var result = original
        for (key, value) in patch where !StrategicDirective.isDirective(key) {
            let childPath = path + [key]
            switch value {
            case .null:
                result[key] = nil
            case .object(let patchChild):
                result[key] = try mergeMap(result[key]?.objectValue ?? [:], patchChild, path: childPath).map(JSONValue.object)
            case .array(let patchList):
                result[key] = .array(
                    try mergeList(
                        result[key]?.arrayValue, patchList, path: childPath,
                        deletions: patch[StrategicDirective.deleteFromPrimitiveList + key],
                        order: patch[StrategicDirective.setElementOrder + key]))
            default:
                result[key] = value
            }
        }
        try applyListDirectivesWithoutPatchList(patch, to: &result, path: path)
        if let retain = patch[StrategicDirective.retainKeys] {
            try applyRetainKeys(retain, patch: patch, to: &result, path: path)
        }
        return result
    }

    /// `$deleteFromPrimitiveList/f` and `$setElementOrder/f` for fields `f` the patch does not also set.
    private func applyListDirectivesWithoutPatchList(
        _ patch: [String: JSONValue], to result: inout [String: JSONValue], path: [String]
    ) throws {
        var fields: Set<String> = []
        for key in patch.keys {
            if key.hasPrefix(StrategicDirective.deleteFromPrimitiveList) {
                fields.insert(String(key.dropFirst(StrategicDirective.deleteFromPrimitiveList.count)))
            } else if key.hasPrefix(StrategicDirective.setElementOrder) {
                fields.insert(String(key.dropFirst(StrategicDirective.setElementOrder.count)))
            }
        }
        for field in fields where patch[field] == nil {
            guard let current = result[field]?.arrayValue else { continue }
            result[field] = .array(
                try mergeList(
                    current, [], path: path + [field],
                    deletions: patch[StrategicDirective.deleteFromPrimitiveList + field],
                    order: patch[StrategicDirective.setElementOrder + field]))
        }
    }

    private func applyRetainKeys(
        _ retain: JSONValue, patch: [String: JSONValue], to result: inout [String: JSONValue], path: [String]
    ) throws {
        guard let names = retain.arrayValue?.compactMap(\.stringValue), names.count == retain.arrayValue?.count else {
            throw PatchError.badRequest("\"$retainKeys\" at \(display(path)) must be a list of strings")
        }
        let kept = Set(names)
        for key in patch.keys where !StrategicDirective.isDirective(key) && !kept.contains(key) {
            throw PatchError.unprocessable(
                "the patch content does not match the \"$retainKeys\" list at \(display(path)): \"\(key)\" is not retained")
        }
        result = result.filter { kept.contains($0.key) }
    }

    func display(_ path: [String]) -> String { path.isEmpty ? "the top level" : path.joined(separator: ".") }
}
