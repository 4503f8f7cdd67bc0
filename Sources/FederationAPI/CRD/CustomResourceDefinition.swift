import Foundation

/// One column `kubectl get` prints for a custom resource (`additionalPrinterColumns`).
public struct PrinterColumn: Hashable, Sendable {
    /// The header (kubectl upper-cases it).
    public var name: String
    /// `string`, `integer`, `number`, `boolean` or `date`.
    public var type: String
    /// A simple JSONPath into the object, such as `.status.phase`.
    public var jsonPath: String
    /// What the column shows.
    public var description: String
    /// 0 for the default view; 1 for columns shown only with `-o wide`.
    public var priority: Int

    /// Creates a column.
    public init(name: String, type: String, jsonPath: String, description: String, priority: Int = 0) {
        self.name = name
        self.type = type
        self.jsonPath = jsonPath
        self.description = description
        self.priority = priority
    }

    /// The `Status` of the condition of that type, such as `Ready`.
    public static func condition(_ type: String, name: String? = nil, priority: Int = 0) -> PrinterColumn {
        PrinterColumn(
            name: name ?? type, type: "string", jsonPath: #".status.conditions[?(@.type=="\#(type)")].status"#,
            description: "Status of the \(type) condition.", priority: priority
        )
    }

    /// The object's age, from `metadata.creationTimestamp`.
    public static let age = PrinterColumn(
        name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since the object was created."
    )

    /// The column as JSON.
    public var json: JSONValue {
        var o: JSONValue = ["name": .string(name), "type": .string(type), "jsonPath": .string(jsonPath), "description": .string(description)]
        if priority != 0 { o["priority"] = .int(Int64(priority)) }
        return o
    }
}

/// The parts of a CustomResourceDefinition that differ between the federation kinds; ``json``
/// renders the full `apiextensions.k8s.io/v1` object (group `federation.concord.dev`, one served
/// and stored version `v1alpha1`, status subresource, category `concord`).
public struct FederationCRD: Sendable {
    /// The kind, such as `Datacenter`.
    public var kind: String
    /// The plural resource name, such as `datacenters`.
    public var plural: String
    /// The singular name, such as `datacenter`.
    public var singular: String
    /// Short names for kubectl, such as `dc`.
    public var shortNames: [String]
    /// True for namespaced kinds.
    public var namespaced: Bool
    /// Columns for `kubectl get`.
    public var printerColumns: [PrinterColumn]
    /// The structural schema of the whole object.
    public var schema: JSONSchemaProps

    /// Creates a CRD description.
    public init(
        kind: String, plural: String, singular: String, shortNames: [String], namespaced: Bool,
        printerColumns: [PrinterColumn], schema: JSONSchemaProps
    ) {
        self.kind = kind
        self.plural = plural
        self.singular = singular
        self.shortNames = shortNames
        self.namespaced = namespaced
        self.printerColumns = printerColumns
        self.schema = schema
    }

    /// The CRD's name: `<plural>.federation.concord.dev`.
    public var name: String { "\(plural).\(FederationGroup.group)" }
    /// The file `concord crds --output-dir` writes: `federation.concord.dev_<plural>.yaml`.
    public var fileName: String { "\(FederationGroup.group)_\(plural).yaml" }

    /// The CustomResourceDefinition object.
    public var json: JSONValue {
        let names: JSONValue = [
            "kind": .string(kind), "listKind": .string("\(kind)List"), "plural": .string(plural), "singular": .string(singular),
            "shortNames": .array(shortNames.map(JSONValue.string)), "categories": [.string(FederationGroup.category)],
        ]
        let version: JSONValue = [
            "name": .string(FederationGroup.version), "served": true, "storage": true,
            "subresources": ["status": [:]],
            "additionalPrinterColumns": .array(printerColumns.map(\.json)),
            "schema": ["openAPIV3Schema": schema.json],
        ]
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": .string(name), "labels": ["app.kubernetes.io/part-of": "concord"]],
            "spec": [
                "group": .string(FederationGroup.group),
                "names": names,
                "scope": namespaced ? "Namespaced" : "Cluster",
                "versions": [version],
            ],
        ]
    }
}

/// The CustomResourceDefinitions of Concord's four kinds.
public enum FederationCRDs {
    /// Datacenter, FederationPolicy, ReplicationRule and ServiceFailover, in that order.
    public static var definitions: [FederationCRD] { [datacenter, federationPolicy, replicationRule, serviceFailover] }

    /// Every CRD as an `apiextensions.k8s.io/v1` object, ready to apply.
    public static var all: [JSONValue] { definitions.map(\.json) }

    /// The CRD of the kind with that name, such as `Datacenter`.
    public static func definition(forKind kind: String) -> FederationCRD? { definitions.first { $0.kind == kind } }
}
