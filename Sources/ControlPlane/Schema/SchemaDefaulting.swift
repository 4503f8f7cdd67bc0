import KubernetesAPI

/// Applies `default` values from a structural schema to fields that are absent (or null and not nullable).
enum SchemaDefaulting {
    static func apply(_ value: JSONValue, schema: JSONValue) -> JSONValue {
        switch value {
        case .object(var members):
            if let properties = schema["properties"]?.objectValue {
                for (key, propertySchema) in properties {
                    let nullable = propertySchema["nullable"]?.boolValue == true
                    if let d = propertySchema["default"], members[key] == nil || (members[key]?.isNull == true && !nullable) {
                        members[key] = d
                    }
                    if let v = members[key] { members[key] = apply(v, schema: propertySchema) }
                }
            } else if let additional = schema["additionalProperties"], additional.objectValue != nil {
                for (key, v) in members { members[key] = apply(v, schema: additional) }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = schema["items"], itemSchema.objectValue != nil else { return value }
            return .array(items.map { apply($0, schema: itemSchema) })
        default:
            return value
        }
    }
}
