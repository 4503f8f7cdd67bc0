import KubernetesAPI
import Yams

/// The checks the control plane makes before it stores a custom resource, run offline on manifests:
/// metadata types, the object name, unknown fields (as `fieldValidation=Strict` refuses them), then
/// the CRD's structural schema after defaulting — the same code a create goes through.
public struct ManifestAdmission: Sendable {
    /// One problem with one field of a manifest.
    public struct Problem: Sendable, Hashable {
        /// The field path as kube-apiserver prints it (`spec.mode`, `spec.failover[1].datacenter`); empty for the object.
        public var field: String
        /// What is wrong, in kube-apiserver's words.
        public var message: String

        /// Creates a problem.
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    private let definitions: [ResourceDefinition]

    /// An admission for the served versions of these CustomResourceDefinition objects.
    public init(customResourceDefinitions: [JSONValue]) {
        definitions = customResourceDefinitions.flatMap(CustomResourceDefinitions.definitions(from:))
    }

    /// True when one of the CRDs serves `group`.
    public func serves(group: String) -> Bool { definitions.contains { $0.group == group } }

    /// The problems of one object whose `apiVersion` and `kind` one of the CRDs serves, or nil when none does.
    public func problems(of object: JSONValue) -> [Problem]? {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        guard let definition = definitions.first(where: { $0.apiVersion == apiVersion && $0.kind == kind }),
            let schema = definition.schema
        else { return nil }
        do {
            try MetadataTypes.check(object, old: nil, definition: definition)
        } catch let error as APIError {
            return [Problem(field: "metadata", message: error.status.message ?? "\(error)")]
        } catch {
            return [Problem(field: "metadata", message: "\(error)")]
        }
        var problems: [Problem] = []
        let name = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        if name.isEmpty {
            if (object.value(at: ["metadata", "generateName"])?.stringValue ?? "").isEmpty {
                problems.append(Problem(FieldError.required("metadata.name", "name or generateName is required")))
            }
        } else {
            problems += NameValidation.validate(name, for: definition).map(Problem.init)
        }
        let (known, unknown) = UnknownFields.prune(object, definition: definition)
        problems += unknown.map { Problem(field: $0, message: "unknown field: \(definition.kind) in \(definition.apiVersion) has no such field") }
        let defaulted = SchemaDefaulting.apply(known, schema: schema)
        problems += SchemaValidation.validate(defaulted, schema: schema).map(Problem.init)
        return problems
    }

    /// The JSON value of a YAML node, with scalars resolved as the control plane resolves YAML bodies
    /// (quoted values stay strings; `true`, `3`, `1.5`, `null` are typed).
    public static func json(of node: Node) throws -> JSONValue {
        try ApplyYAML.value(of: node)
    }
}

extension ManifestAdmission.Problem {
    init(_ error: FieldError) { self.init(field: error.field, message: error.message) }
}
