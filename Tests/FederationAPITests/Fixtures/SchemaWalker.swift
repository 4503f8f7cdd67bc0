import FederationAPI
import Foundation

/// A small structural-schema checker for tests: validates a JSON value against a rendered
/// `openAPIV3Schema`, records which schema paths the value reached, and applies defaults the
/// way the API server does. Paths use `.field`, `[]` for array items and `{}` for map values.
struct SchemaWalker {
    var errors: [String] = []
    var visited: Set<String> = []

    /// Validates `value` at `path` against `schema`.
    mutating func check(_ value: JSONValue, _ schema: JSONValue, path: String = "") {
        visited.insert(path)
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return }
        if value.isNull {
            if schema["nullable"]?.boolValue != true { errors.append("\(path): null is not allowed") }
            return
        }
        let type = schema["type"]?.stringValue ?? ""
        switch (type, value) {
        case ("object", .object(let members)):
            checkObject(members, schema, path: path)
        case ("array", .array(let items)):
            if let min = schema["minItems"]?.intValue, items.count < min { errors.append("\(path): fewer than \(min) items") }
            if let max = schema["maxItems"]?.intValue, items.count > max { errors.append("\(path): more than \(max) items") }
            if let itemSchema = schema["items"] {
                for item in items { check(item, itemSchema, path: path + "[]") }
            }
            checkListMapKeys(items, schema, path: path)
        case ("string", .string(let s)):
            checkString(s, schema, path: path)
        case ("integer", .int(let i)):
            checkBounds(Double(i), schema, path: path)
        case ("number", .int(let i)):
            checkBounds(Double(i), schema, path: path)
        case ("number", .double(let d)):
            checkBounds(d, schema, path: path)
        case ("boolean", .bool):
            break
        default:
            errors.append("\(path): \(value.typeName) where the schema says \(type)")
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            errors.append("\(path): \(value.jsonString()) is not one of \(JSONValue.array(allowed).jsonString())")
        }
    }

    private mutating func checkObject(_ members: [String: JSONValue], _ schema: JSONValue, path: String) {
        for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
            errors.append("\(path): required field \(key) is missing")
        }
        let properties = schema["properties"]?.objectValue
        let additional = schema["additionalProperties"]
        if properties == nil, additional == nil { return }  // free-form object, such as metadata
        for (key, member) in members {
            if let p = properties?[key] {
                check(member, p, path: "\(path).\(key)")
            } else if let additional {
                check(member, additional, path: "\(path).{}")
            } else {
                errors.append("\(path).\(key): field is not in the schema")
            }
        }
    }

    private mutating func checkListMapKeys(_ items: [JSONValue], _ schema: JSONValue, path: String) {
        guard schema["x-kubernetes-list-type"]?.stringValue == "map",
            let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue)
        else { return }
        var seen: Set<[JSONValue]> = []
        for item in items {
            let key = keys.map { item[$0] ?? .null }
            if !seen.insert(key).inserted { errors.append("\(path): duplicate map-list key \(key)") }
        }
    }

    private mutating func checkString(_ s: String, _ schema: JSONValue, path: String) {
        if let min = schema["minLength"]?.intValue, s.count < min { errors.append("\(path): shorter than \(min)") }
        if let max = schema["maxLength"]?.intValue, s.count > max { errors.append("\(path): longer than \(max)") }
        if let pattern = schema["pattern"]?.stringValue, s.range(of: pattern, options: .regularExpression) == nil {
            errors.append("\(path): \(s) does not match \(pattern)")
        }
        if schema["format"]?.stringValue == "date-time", RFC3339.parse(s) == nil {
            errors.append("\(path): \(s) is not an RFC 3339 time")
        }
    }

    private mutating func checkBounds(_ d: Double, _ schema: JSONValue, path: String) {
        if let min = schema["minimum"].flatMap(Self.number), d < min { errors.append("\(path): below minimum \(min)") }
        if let max = schema["maximum"].flatMap(Self.number), d > max { errors.append("\(path): above maximum \(max)") }
    }

    private static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// Every path the schema declares (below free-form objects nothing is listed).
    static func paths(of schema: JSONValue, path: String = "") -> Set<String> {
        var out: Set<String> = [path]
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return out }
        for (key, p) in schema["properties"]?.objectValue ?? [:] { out.formUnion(paths(of: p, path: "\(path).\(key)")) }
        if let a = schema["additionalProperties"] { out.formUnion(paths(of: a, path: "\(path).{}")) }
        if let i = schema["items"] { out.formUnion(paths(of: i, path: "\(path)[]")) }
        return out
    }

    /// Every schema node, with its path.
    static func nodes(of schema: JSONValue, path: String = "") -> [(path: String, node: JSONValue)] {
        var out = [(path, schema)]
        for (key, p) in schema["properties"]?.objectValue ?? [:] { out += nodes(of: p, path: "\(path).\(key)") }
        if let a = schema["additionalProperties"] { out += nodes(of: a, path: "\(path).{}") }
        if let i = schema["items"] { out += nodes(of: i, path: "\(path)[]") }
        return out
    }

    /// Applies schema defaults as the API server does: an absent field with a `default` gets it,
    /// then defaulting continues inside (so `default: {}` fills the object's own defaults).
    static func applyDefaults(_ value: JSONValue, _ schema: JSONValue) -> JSONValue {
        switch value {
        case .object(var members):
            for (key, p) in schema["properties"]?.objectValue ?? [:] {
                if members[key] == nil, let d = p["default"] { members[key] = d }
                if let m = members[key] { members[key] = applyDefaults(m, p) }
            }
            if let a = schema["additionalProperties"] {
                for (key, m) in members where schema["properties"]?[key] == nil { members[key] = applyDefaults(m, a) }
            }
            return .object(members)
        case .array(let items):
            guard let i = schema["items"] else { return value }
            return .array(items.map { applyDefaults($0, i) })
        default:
            return value
        }
    }
}
