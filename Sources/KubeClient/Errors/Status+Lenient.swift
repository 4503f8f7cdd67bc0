import Foundation
import KubernetesAPI

extension Status {
    /// Decodes a `Status` from JSON, tolerating a missing `metadata`, `kind` or `apiVersion`
    /// (watch ERROR events and some proxies omit them). Nil when the JSON is not an object.
    public static func decodeLeniently(_ data: Data) -> Status? {
        guard let v = try? JSONValue(parsing: data) else { return nil }
        return decodeLeniently(v)
    }

    /// Decodes a `Status` from a JSON tree, tolerating missing envelope fields.
    public static func decodeLeniently(_ value: JSONValue) -> Status? {
        guard case .object(var o) = value else { return nil }
        if o["metadata"] == nil || o["metadata"]?.objectValue == nil { o["metadata"] = .object([:]) }
        if o["kind"] == nil { o["kind"] = "Status" }
        if o["apiVersion"] == nil { o["apiVersion"] = "v1" }
        return try? JSONValue.object(o).decode(Status.self)
    }
}
