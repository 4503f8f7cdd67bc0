import KubernetesAPI

/// What kube-apiserver's typed decoding refuses in the built-in kinds, over the fields their schemas describe.
///
/// kube-apiserver decodes a built-in kind's body into Go structs, where an `int32`/`int64` field takes only
/// an integer literal in its range: `1e3`, `1.0`, `1.5` and `3000000000` (for int32) all fail, and so does
/// a value of the wrong JSON type. A POST or PUT body that fails gets 400 BadRequest
/// (`Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1e3 into
/// Go struct field DeploymentSpec.spec.replicas of type int32`). A merge or JSON patch whose result fails
/// gets 422 Invalid on the field `patch`. Strategic merge and apply results are converted from a map, where
/// a whole float such as `1e3` is accepted as its integer; the rest still fails with 422.
/// `null` is always accepted: Go leaves the field at its zero value.
enum BuiltinDecoding {
    /// Where the object came from, which decides the error and whether whole floats pass.
    enum Origin: Sendable {
        /// A POST or PUT body.
        case body
        /// The result of a merge or JSON patch.
        case patch
        /// The result of a strategic merge patch or an apply.
        case convertedPatch
    }

    /// The object with its integer fields as `.int`, or kube-apiserver's error for the first field that
    /// does not decode. Custom resources are returned unchanged (their schemas validate them).
    static func check(_ object: JSONValue, definition: ResourceDefinition, origin: Origin) throws -> JSONValue {
        guard !definition.isCustom, let schema = definition.schema else { return object }
        var walker = Walker(kind: definition.kind, lenient: origin == .convertedPatch)
        let checked = walker.walk(object, schema: schema, path: [])
        guard let failure = walker.failure ?? BuiltinValidation.base64Failure(object, definition: definition) else { return checked }
        switch origin {
        case .body:
            throw APIError.badRequest(
                "\(definition.kind) in version \"\(definition.version)\" cannot be handled as a \(definition.kind): \(failure)")
        case .patch, .convertedPatch:
            throw APIError.invalid(kind: "", group: "", name: "", causes: [.invalid("patch", value: .string(object.jsonString()), failure)])
        }
    }

    /// Walks the schema's typed fields, keeping the first failure in Go's wording.
    private struct Walker {
        let kind: String
        let lenient: Bool
        var failure: String?

        mutating func walk(_ value: JSONValue, schema: JSONValue, path: [String]) -> JSONValue {
            guard failure == nil, !value.isNull else { return value }
            if schema["x-kubernetes-int-or-string"]?.boolValue == true {
                if case .string = value { return value }
                return integer(value, format: "int32", path: path, context: false)
            }
            switch schema["type"]?.stringValue {
            case "integer":
                return integer(value, format: schema["format"]?.stringValue ?? "int64", path: path, context: true)
            case "string":
                if case .string = value { return value }
                fail(value, goType: GoTypes.stringName(kind: kind, path: path), path: path)
            case "boolean":
                if case .bool = value { return value }
                fail(value, goType: "bool", path: path)
            case "array":
                guard case .array(let items) = value else {
                    fail(value, goType: "[]" + GoTypes.elementName(schema["items"], kind: kind, path: path), path: path)
                    return value
                }
                guard let itemSchema = schema["items"], itemSchema.objectValue != nil else { return value }
                return .array(items.map { walk($0, schema: itemSchema, path: path) })
            case "object":
                guard case .object(var members) = value else {
                    fail(value, goType: GoTypes.objectName(schema, kind: kind, path: path), path: path)
                    return value
                }
                let properties = schema["properties"]?.objectValue ?? [:]
                let additional = schema["additionalProperties"].flatMap { $0.objectValue != nil ? $0 : nil }
                for key in members.keys.sorted() {
                    if path.isEmpty, ["apiVersion", "kind", "metadata"].contains(key) { continue }
                    // Go names struct fields in its errors, not map keys.
                    if let memberSchema = properties[key] {
                        members[key] = walk(members[key]!, schema: memberSchema, path: path + [key])
                    } else if let additional {
                        members[key] = walk(members[key]!, schema: additional, path: path)
                    }
                }
                return .object(members)
            default:
                break
            }
            return value
        }

        /// An integer field: an integer literal in range, or (converted patches) a whole float in range.
        mutating func integer(_ value: JSONValue, format: String, path: [String], context: Bool) -> JSONValue {
            let range = format == "int32" ? Int64(Int32.min)...Int64(Int32.max) : Int64.min...Int64.max
            switch value {
            case .int(let i) where range ~= i:
                return value
            case .double(let d) where lenient && d.rounded() == d && abs(d) <= SchemaNumbers.largestExactInteger && range ~= Int64(d):
                return .int(Int64(d))
            case .int, .double:
                fail(value, goType: format, path: path, literal: true, context: context)
            default:
                fail(value, goType: format, path: path, context: context)
            }
            return value
        }

        /// Records Go's `json: cannot unmarshal …` message.
        mutating func fail(_ value: JSONValue, goType: String, path: [String], literal: Bool = false, context: Bool = true) {
            guard failure == nil else { return }
            let what: String
            switch value {
            case .int, .double: what = literal ? "number \(FieldError.renderValue(value))" : "number"
            case .string: what = "string"
            case .bool: what = "bool"
            case .array: what = "array"
            case .object: what = "object"
            case .null: what = "null"
            }
            guard context, !path.isEmpty else {
                failure = "json: cannot unmarshal \(what) into Go value of type \(goType)"
                return
            }
            let owner = GoTypes.structName(kind: kind, parentPath: path.dropLast().joined(separator: "."))
            failure = "json: cannot unmarshal \(what) into Go struct field \(owner).\(path.joined(separator: ".")) of type \(goType)"
        }
    }
}
