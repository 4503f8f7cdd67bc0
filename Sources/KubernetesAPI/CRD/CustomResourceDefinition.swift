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

    /// The `Status` of the condition of that type, such as `Ready`; `description` says what it means
    /// (by default, only whose status it is).
    public static func condition(_ type: String, name: String? = nil, description: String? = nil, priority: Int = 0) -> PrinterColumn {
        PrinterColumn(
            name: name ?? type, type: "string", jsonPath: #".status.conditions[?(@.type=="\#(type)")].status"#,
            description: description ?? "Status of the \(type) condition.", priority: priority
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

/// A CustomResourceDefinition with one served and stored version and a status subresource;
/// ``json`` renders the full `apiextensions.k8s.io/v1` object.
public struct CustomResourceDefinition: Sendable {
    /// The API group, such as `example.com`.
    public var group: String
    /// The one served and stored version, such as `v1alpha1`.
    public var version: String
    /// The kind, such as `Widget`.
    public var kind: String
    /// The plural resource name, such as `widgets`.
    public var plural: String
    /// The singular name, such as `widget`.
    public var singular: String
    /// Short names for kubectl, such as `wg`.
    public var shortNames: [String]
    /// Categories `kubectl get <category>` lists the kind under.
    public var categories: [String]
    /// Labels of the CRD object itself.
    public var labels: [String: String]
    /// True for namespaced kinds.
    public var namespaced: Bool
    /// Columns for `kubectl get`.
    public var printerColumns: [PrinterColumn]
    /// The structural schema of the whole object.
    public var schema: JSONSchemaProps

    /// Creates a CRD description.
    public init(
        group: String, version: String, kind: String, plural: String, singular: String, shortNames: [String],
        categories: [String], labels: [String: String], namespaced: Bool, printerColumns: [PrinterColumn], schema: JSONSchemaProps
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = singular
        self.shortNames = shortNames
        self.categories = categories
        self.labels = labels
        self.namespaced = namespaced
        self.printerColumns = printerColumns
        self.schema = schema
    }

    /// The CRD's name: `<plural>.<group>`.
    public var name: String { "\(plural).\(group)" }
    /// The file a CRD is conventionally written to: `<group>_<plural>.yaml`.
    public var fileName: String { "\(group)_\(plural).yaml" }

    /// The CustomResourceDefinition object.
    public var json: JSONValue {
        let names: JSONValue = [
            "kind": .string(kind), "listKind": .string("\(kind)List"), "plural": .string(plural), "singular": .string(singular),
            "shortNames": .array(shortNames.map(JSONValue.string)), "categories": .array(categories.map(JSONValue.string)),
        ]
        let version: JSONValue = [
            "name": .string(version), "served": true, "storage": true,
            "subresources": ["status": [:]],
            "additionalPrinterColumns": .array(printerColumns.map(\.json)),
            "schema": ["openAPIV3Schema": schema.json],
        ]
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": .string(name), "labels": .object(labels.mapValues(JSONValue.string))],
            "spec": [
                "group": .string(group),
                "names": names,
                "scope": namespaced ? "Namespaced" : "Cluster",
                "versions": [version],
            ],
        ]
    }
}
