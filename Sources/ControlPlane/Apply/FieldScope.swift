import KubernetesAPI

/// Which parts of an object field ownership covers for a write through one endpoint.
///
/// Type information and server-set metadata are never owned. Through `/status` only `status` is; through the
/// main endpoint of a kind with a status subresource everything but `status` is.
struct FieldScope: Sendable {
    var schema: ApplySchema
    /// `status` for writes through `/status`, nil for the main endpoint.
    var subresource: String?
    var statusIsSubresource: Bool

    init(definition: ResourceDefinition, subresource: String?) {
        schema = ApplySchema(definition: definition)
        self.subresource = subresource
        statusIsSubresource = definition.hasStatusSubresource
    }

    /// Metadata the server sets and nobody owns.
    static let serverMetadata = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "managedFields",
        "deletionTimestamp", "deletionGracePeriodSeconds",
    ]

    /// `object` without what this scope does not cover.
    func restrict(_ object: JSONValue) -> JSONValue {
        guard var members = object.objectValue else { return object }
        members["apiVersion"] = nil
        members["kind"] = nil
        if subresource == "status" {
            return .object(members["status"].map { ["status": $0] } ?? [:])
        }
        if statusIsSubresource { members["status"] = nil }
        if var meta = members["metadata"]?.objectValue {
            for key in Self.serverMetadata { meta[key] = nil }
            members["metadata"] = meta.isEmpty ? nil : .object(meta)
        }
        return .object(members)
    }

    /// The members this scope covers in `object`.
    func members(of object: JSONValue) -> [ManagedPath: FieldLeaf] {
        FieldWalker.members(of: restrict(object), schema: schema)
    }

    /// The member paths this scope covers in `object`.
    func fieldSet(of object: JSONValue) -> FieldSet { FieldSet(members(of: object).keys) }
}
