import KubernetesAPI

/// JSON merge patch (RFC 7386), `application/merge-patch+json`.
///
/// An object patch merges member by member, recursively; a `null` member deletes; any other patch
/// value (array, string, number, …) replaces the target wholesale.
public enum JSONMergePatch {
    /// Applies `patch` to `target`.
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified` (members that differ; `null` for removed
    /// ones), or nil when they are equal. Members whose new value is `null` cannot be expressed.
    public static func diff(from original: JSONValue, to modified: JSONValue) -> JSONValue? {
        // Careful: JSONValue is ExpressibleByNilLiteral, so spell out "no patch" as Optional.none.
        guard case .object(let old) = original, case .object(let new) = modified else {
            if original == modified { return Optional.none }
            return modified
        }
        var patch: [String: JSONValue] = [:]
        for key in old.keys where new[key] == nil {
            patch[key] = .null
        }
        for (key, newValue) in new {
            if let oldValue = old[key] {
                if let change = diff(from: oldValue, to: newValue) { patch[key] = change }
            } else {
                patch[key] = newValue
            }
        }
        if patch.isEmpty { return Optional.none }
        return .object(patch)
    }
}
