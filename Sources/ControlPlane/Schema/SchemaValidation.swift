import Foundation
import KubernetesAPI

/// Validates a value against a structural OpenAPI v3 schema, producing kube-apiserver's field errors.
///
/// Supported: type, nullable, enum, required, minimum/maximum (and exclusive), multipleOf, minLength/maxLength,
/// pattern, minItems/maxItems, uniqueness of `x-kubernetes-list-type: set`, `x-kubernetes-int-or-string`,
/// `x-kubernetes-preserve-unknown-fields`, the number rules of ``SchemaNumbers``, `format: date-time`.
/// Not supported: `allOf`/`anyOf`/`oneOf`/`not`, other string formats, CEL rules.
enum SchemaValidation {
    /// The field errors of `value`. With `old` (an update), a field whose value is unchanged is not checked again,
    /// as kube-apiserver ratchets validation: an object stored before a rule applied stays writable.
    static func validate(_ value: JSONValue, schema: JSONValue, old: JSONValue? = nil) -> [FieldError] {
        var errors: [FieldError] = []
        validate(value, schema: schema, path: .root, old: old, errors: &errors)
        return errors
    }

    private static func validate(_ value: JSONValue, schema: JSONValue, path: FieldPath, old: JSONValue?, errors: inout [FieldError]) {
        if let old, old == value { return }
        let field = path.description
        if value.isNull {
            if schema["nullable"]?.boolValue == true { return }
            if let type = schema["type"]?.stringValue {
                errors.append(.typeInvalid(field, value: value, "\(field) in body must be of type \(type): \"null\""))
            }
            return
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            switch value {
            case .int, .string: break
            case .double where SchemaNumbers.integer(value) != nil: break
            default: errors.append(.typeInvalid(field, value: value, "\(field) in body must be of type integer,string: \"\(value.typeName)\""))
            }
            return
        }
        if let type = schema["type"]?.stringValue, !matches(value, type: type) {
            errors.append(.typeInvalid(field, value: value, "\(field) in body must be of type \(type): \"\(value.typeName)\""))
            return
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.isEmpty, !allowed.contains(where: { equalValues($0, value) }) {
            errors.append(.notSupported(field, value: value, supported: allowed))
        }
        switch value {
        case .object(let members):
            validateObject(members, schema: schema, path: path, old: old?.objectValue, errors: &errors)
        case .array(let items):
            validateArray(items, schema: schema, path: path, errors: &errors)
        case .string(let s):
            validateString(s, schema: schema, field: field, errors: &errors)
        case .int, .double:
            if let type = schema["type"]?.stringValue,
                let rangeError = SchemaNumbers.rangeError(value, type: type, format: schema["format"]?.stringValue, field: field)
            {
                errors.append(rangeError)
            }
            validateNumber(value, schema: schema, field: field, errors: &errors)
        default:
            break
        }
    }

    private static func validateObject(
        _ members: [String: JSONValue], schema: JSONValue, path: FieldPath, old: [String: JSONValue]?, errors: inout [FieldError]
    ) {
        let properties = schema["properties"]?.objectValue ?? [:]
        for key in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where members[key] == nil {
            errors.append(.required(path.child(key).description))
        }
        for key in members.keys.sorted() {
            if path.isRoot && ["apiVersion", "kind", "metadata"].contains(key) { continue }
            if let p = properties[key] {
                validate(members[key]!, schema: p, path: path.child(key), old: old?[key], errors: &errors)
            } else if let a = schema["additionalProperties"], a.objectValue != nil {
                validate(members[key]!, schema: a, path: path.key(key), old: old?[key], errors: &errors)
            }
        }
        if let max = schema["maxProperties"]?.intValue, members.count > max {
            errors.append(.tooMany(path.description, count: members.count, max: max))
        }
    }

    private static func validateArray(_ items: [JSONValue], schema: JSONValue, path: FieldPath, errors: inout [FieldError]) {
        let field = path.description
        if let max = schema["maxItems"]?.intValue, items.count > max {
            errors.append(.tooMany(field, count: items.count, max: max))
        }
        if let min = schema["minItems"]?.intValue, items.count < min {
            errors.append(.invalid(field, value: .int(Int64(items.count)), "\(field) in body should have at least \(min) items"))
        }
        if let itemSchema = schema["items"], itemSchema.objectValue != nil {
            for (i, item) in items.enumerated() { validate(item, schema: itemSchema, path: path.index(i), old: nil, errors: &errors) }
        }
        let listType = schema["x-kubernetes-list-type"]?.stringValue
        if listType == "set" || schema["uniqueItems"]?.boolValue == true {
            var seen: [JSONValue] = []
            for (i, item) in items.enumerated() {
                if seen.contains(item) { errors.append(.duplicate(path.index(i).description, value: item)) } else { seen.append(item) }
            }
        } else if listType == "map", let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue), !keys.isEmpty {
            var seen: [[JSONValue?]] = []
            for (i, item) in items.enumerated() {
                let k = keys.map { item[$0] }
                if seen.contains(k) {
                    let rendered = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.compactMap { key in item[key].map { (key, $0) } }))
                    errors.append(.duplicate(path.index(i).description, value: rendered))
                } else {
                    seen.append(k)
                }
            }
        }
    }

    private static func validateString(_ s: String, schema: JSONValue, field: String, errors: inout [FieldError]) {
        if schema["format"]?.stringValue == "date-time", !DateTimeFormat.isValid(s) {
            errors.append(DateTimeFormat.error(field, s))
        }
        let length = s.count
        if let max = schema["maxLength"]?.intValue, length > max {
            errors.append(FieldError(field: field, reason: .tooLong, message: "Too long: may not be more than \(max) bytes"))
        }
        if let min = schema["minLength"]?.intValue, length < min {
            errors.append(.invalid(field, value: .string(s), "\(field) in body should be at least \(min) chars long"))
        }
        if let pattern = schema["pattern"]?.stringValue, let regex = try? NSRegularExpression(pattern: pattern),
            regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil
        {
            errors.append(.invalid(field, value: .string(s), "\(field) in body should match '\(pattern)'"))
        }
    }

    private static func validateNumber(_ value: JSONValue, schema: JSONValue, field: String, errors: inout [FieldError]) {
        let x = numberValue(value) ?? 0
        if let min = schema["minimum"].flatMap(numberValue) {
            if schema["exclusiveMinimum"]?.boolValue == true, x <= min {
                errors.append(.invalid(field, value: value, "\(field) in body should be greater than \(render(min))"))
            } else if x < min {
                errors.append(.invalid(field, value: value, "\(field) in body should be greater than or equal to \(render(min))"))
            }
        }
        if let max = schema["maximum"].flatMap(numberValue) {
            if schema["exclusiveMaximum"]?.boolValue == true, x >= max {
                errors.append(.invalid(field, value: value, "\(field) in body should be less than \(render(max))"))
            } else if x > max {
                errors.append(.invalid(field, value: value, "\(field) in body should be less than or equal to \(render(max))"))
            }
        }
        if let m = schema["multipleOf"].flatMap(numberValue), m != 0, (x / m).rounded() != x / m {
            errors.append(.invalid(field, value: value, "\(field) in body should be a multiple of \(render(m))"))
        }
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int): return true
        case ("integer", .double): return SchemaNumbers.integer(value) != nil
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }

    private static func numberValue(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    private static func render(_ d: Double) -> String {
        JSONNumberText.format(d)
    }

    private static func equalValues(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if a == b { return true }
        switch (a, b) {
        case (.int(let i), .double(let d)), (.double(let d), .int(let i)): return Double(i) == d
        default: return false
        }
    }
}
