import KubernetesAPI

/// How custom resources' numbers meet `type: integer` and `type: number`, as kube-apiserver decides.
///
/// Bodies are read the way kube-apiserver reads them: a number literal without `.` that fits int64 is
/// an integer, every other literal (`1e3`, `1.0`, `9223372036854775808`) is a float64. An integer field
/// then accepts a float only when it is a whole number no larger than 2^53-1 in magnitude (so `1e3` and
/// `1.0` pass, `1.5` and 2^63 do not); `format: int32` adds the int32 bounds, `format: float` the float32
/// ones. After validation the accepted floats are stored as the integers they are, so an object
/// re-serialises with integers in its integer fields.
enum SchemaNumbers {
    /// 2^53-1, the largest integer every JSON implementation reads exactly.
    static let largestExactInteger: Double = 9_007_199_254_740_991

    /// The integer an integer field holds, or nil when the value does not count as an integer.
    static func integer(_ value: JSONValue) -> Int64? {
        switch value {
        case .int(let i): return i
        case .double(let d) where d.isFinite && d.rounded() == d && abs(d) <= largestExactInteger: return Int64(d)
        default: return nil
        }
    }

    /// kube-apiserver's message when a number is outside its format's range, or nil when it fits.
    static func rangeError(_ value: JSONValue, type: String, format: String?, field: String) -> FieldError? {
        switch (type, format ?? "", value) {
        case ("integer", "int32", _):
            guard let i = integer(value), Int64(Int32.min)...Int64(Int32.max) ~= i else {
                return .invalid(field, value: value, "Checked value must be of type integer with format int32 in \(field)")
            }
        case ("number", "float", .double(let d)) where abs(d) > Double(Float.greatestFiniteMagnitude):
            return .invalid(field, value: value, "Checked value must be of type number with format float in \(field)")
        default:
            break
        }
        return nil
    }

    /// The value with every accepted float of an integer (or int-or-string) field turned into `.int`.
    static func normalize(_ value: JSONValue, schema: JSONValue) -> JSONValue {
        switch value {
        case .double:
            let integral = schema["type"]?.stringValue == "integer" || schema["x-kubernetes-int-or-string"]?.boolValue == true
            guard integral, let i = integer(value) else { return value }
            return .int(i)
        case .object(var members):
            let properties = schema["properties"]?.objectValue ?? [:]
            let additional = schema["additionalProperties"].flatMap { $0.objectValue != nil ? $0 : nil }
            for (key, member) in members {
                guard let memberSchema = properties[key] ?? additional else { continue }
                members[key] = normalize(member, schema: memberSchema)
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = schema["items"], itemSchema.objectValue != nil else { return value }
            return .array(items.map { normalize($0, schema: itemSchema) })
        default:
            return value
        }
    }
}
