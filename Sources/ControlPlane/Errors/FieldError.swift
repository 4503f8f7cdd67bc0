import KubernetesAPI

/// One validation problem with one field, rendered the way kube-apiserver's field errors are.
struct FieldError: Sendable, Hashable {
    /// The `StatusCause.reason` values kube-apiserver uses for field errors.
    enum Reason: String, Sendable {
        case required = "FieldValueRequired"
        case notSupported = "FieldValueNotSupported"
        case invalid = "FieldValueInvalid"
        case forbidden = "FieldValueForbidden"
        case typeInvalid = "FieldValueTypeInvalid"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case duplicate = "FieldValueDuplicate"
    }

    /// The field path, such as `spec.mode` or `spec.items[2].name`.
    var field: String
    /// Why it failed.
    var reason: Reason
    /// The message body without the field, such as `Required value`.
    var message: String

    /// `Required value`.
    static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(field: field, reason: .required, message: detail.isEmpty ? "Required value" : "Required value: \(detail)")
    }

    /// `Unsupported value: "X": supported values: "a", "b"`.
    static func notSupported(_ field: String, value: JSONValue, supported: [JSONValue]) -> FieldError {
        let list = supported.map(renderValue).joined(separator: ", ")
        return FieldError(field: field, reason: .notSupported, message: "Unsupported value: \(renderValue(value)): supported values: \(list)")
    }

    /// `Invalid value: X: detail`.
    static func invalid(_ field: String, value: JSONValue, _ detail: String) -> FieldError {
        FieldError(field: field, reason: .invalid, message: "Invalid value: \(renderValue(value)): \(detail)")
    }

    /// `Invalid value: "string": field must be integer` style type errors.
    static func typeInvalid(_ field: String, value: JSONValue, _ detail: String) -> FieldError {
        FieldError(field: field, reason: .typeInvalid, message: "Invalid value: \"\(value.typeName)\": \(detail)")
    }

    /// `Forbidden: detail`.
    static func forbidden(_ field: String, _ detail: String) -> FieldError {
        FieldError(field: field, reason: .forbidden, message: "Forbidden: \(detail)")
    }

    /// `Too many: N: must have at most M items`.
    static func tooMany(_ field: String, count: Int, max: Int64) -> FieldError {
        FieldError(field: field, reason: .tooMany, message: "Too many: \(count): must have at most \(max) items")
    }

    /// `Duplicate value: X`.
    static func duplicate(_ field: String, value: JSONValue) -> FieldError {
        FieldError(field: field, reason: .duplicate, message: "Duplicate value: \(renderValue(value))")
    }

    /// Values as Go's `%#v`-ish rendering in kube messages: strings quoted, numbers and booleans bare.
    static func renderValue(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .int(let i): return String(i)
        case .double(let d): return JSONNumberText.format(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array, .object: return v.jsonString()
        }
    }
}
