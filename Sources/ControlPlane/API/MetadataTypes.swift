import Foundation
import KubernetesAPI

/// The JSON types of `metadata`, checked for every kind as kube-apiserver's decoding into
/// `metav1.ObjectMeta` checks them: labels and annotations are string maps, finalizers a string
/// list, owner references a list of objects, the names strings, the generation an integer. A wrong
/// type is refused with 400 in Go's wording (`Datacenter in version "v1alpha1" cannot be handled as
/// a Datacenter: json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of
/// type map[string]string`), so nothing stored is undecodable by clients. Fields an update leaves
/// as the stored object had them are not checked again (a status write to an object stored before
/// this check keeps working).
enum MetadataTypes {
    /// What each checked field must be: its Go type and whether a JSON value fits.
    private static let fields: [(name: String, goType: String, fits: @Sendable (JSONValue) -> Bool)] = [
        ("name", "string", isString), ("generateName", "string", isString), ("namespace", "string", isString),
        ("uid", "string", isString), ("resourceVersion", "string", isString),
        ("generation", "int64", { if case .int = $0 { return true }; return false }),
        ("labels", "map[string]string", isObject), ("annotations", "map[string]string", isObject),
        ("finalizers", "[]string", isArray), ("ownerReferences", "[]v1.OwnerReference", isArray),
    ]

    /// Throws 400 BadRequest at the first field of `object`'s metadata whose JSON type does not decode.
    static func check(_ object: JSONValue, old: JSONValue?, definition: ResourceDefinition) throws {
        guard let metadata = object["metadata"], !metadata.isNull else { return }
        let oldMetadata = old?["metadata"]
        guard metadata.objectValue != nil else {
            throw refusal(metadata, goType: "v1.ObjectMeta", field: "metadata", definition: definition)
        }
        for field in fields {
            guard let value = metadata[field.name], !value.isNull, value != oldMetadata?[field.name] else { continue }
            guard field.fits(value) else {
                throw refusal(value, goType: field.goType, field: "metadata.\(field.name)", definition: definition)
            }
            if let element = elementFailure(field.name, value) {
                throw refusal(element.value, goType: element.goType, field: "metadata.\(field.name)", definition: definition)
            }
        }
    }

    /// The first element of a map or list field whose type does not fit.
    private static func elementFailure(_ name: String, _ value: JSONValue) -> (value: JSONValue, goType: String)? {
        switch name {
        case "labels", "annotations":
            return value.objectValue?.values.first { !isString($0) }.map { ($0, "string") }
        case "finalizers":
            return value.arrayValue?.first { !isString($0) }.map { ($0, "string") }
        case "ownerReferences":
            return value.arrayValue?.first { !isObject($0) }.map { ($0, "v1.OwnerReference") }
        default:
            return nil
        }
    }

    private static func refusal(_ value: JSONValue, goType: String, field: String, definition: ResourceDefinition) -> APIError {
        let kind = definition.kind
        return APIError.badRequest(
            "\(kind) in version \"\(definition.version)\" cannot be handled as a \(kind): json: cannot unmarshal "
                + "\(goName(value)) into Go struct field ObjectMeta.\(field) of type \(goType)")
    }

    /// Go's name for a JSON value's type in unmarshal errors.
    private static func goName(_ value: JSONValue) -> String {
        switch value {
        case .string: "string"
        case .int, .double: "number"
        case .bool: "bool"
        case .array: "array"
        case .object: "object"
        case .null: "null"
        }
    }

    @Sendable private static func isString(_ v: JSONValue) -> Bool { v.stringValue != nil }
    @Sendable private static func isObject(_ v: JSONValue) -> Bool { v.objectValue != nil }
    @Sendable private static func isArray(_ v: JSONValue) -> Bool { v.arrayValue != nil }
}
