import KubernetesAPI

/// Drops fields a structural schema does not specify, unless `x-kubernetes-preserve-unknown-fields`
/// allows them, and reports each dropped field's path (for `fieldValidation=Strict|Warn`).
enum SchemaPruning {
    /// Returns the pruned value and the paths of the fields that were dropped, in document order.
    static func prune(_ value: JSONValue, schema: JSONValue) -> (value: JSONValue, unknown: [String]) {
        var unknown: [String] = []
        let pruned = prune(value, schema: schema, path: .root, isRoot: true, unknown: &unknown)
        return (pruned, unknown)
    }

    private static func prune(_ value: JSONValue, schema: JSONValue, path: FieldPath, isRoot: Bool, unknown: inout [String]) -> JSONValue {
        let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        let embedded = schema["x-kubernetes-embedded-resource"]?.boolValue == true
        switch value {
        case .object(let members):
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            var out: [String: JSONValue] = [:]
            for key in members.keys.sorted() {
                let v = members[key]!
                if isRoot || embedded, ["apiVersion", "kind", "metadata"].contains(key) {
                    out[key] = v
                } else if let p = properties?[key] {
                    out[key] = prune(v, schema: p, path: path.child(key), isRoot: false, unknown: &unknown)
                } else if let a = additional, a.objectValue != nil {
                    out[key] = prune(v, schema: a, path: path.key(key), isRoot: false, unknown: &unknown)
                } else if preserve || additional?.boolValue == true {
                    out[key] = v
                } else {
                    unknown.append(path.child(key).description)
                }
            }
            return .object(out)
        case .array(let items):
            guard let itemSchema = schema["items"], itemSchema.objectValue != nil else { return value }
            return .array(items.enumerated().map { prune($1, schema: itemSchema, path: path.index($0), isRoot: false, unknown: &unknown) })
        default:
            return value
        }
    }
}
