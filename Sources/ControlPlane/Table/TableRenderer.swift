import Foundation
import KubernetesAPI

/// Renders objects as a `meta.k8s.io` Table: columns from CRD `additionalPrinterColumns` or a built-in layout,
/// cells rendered on the server (ages as `8s`), and each row's object as PartialObjectMetadata (or
/// the whole object, or none, as `includeObject` asks).
enum TableRenderer {
    /// A column and how to compute its cell.
    struct Column: Sendable {
        var definition: PrinterColumn
        var cell: @Sendable (JSONValue, Date) -> JSONValue
    }

    static func table(
        for objects: [JSONValue], definition: ResourceDefinition, request: TableRequest, now: Date,
        includeColumns: Bool = true, resourceVersion: String, continueToken: String? = nil
    ) -> JSONValue {
        let columns = self.columns(for: definition)
        var meta: [String: JSONValue] = ["resourceVersion": .string(resourceVersion)]
        if let continueToken { meta["continue"] = .string(continueToken) }
        let rows: [JSONValue] = objects.map { o in
            var row: [String: JSONValue] = ["cells": .array(columns.map { $0.cell(o, now) })]
            switch request.includeObject {
            case .none: break
            case .metadata: row["object"] = partialMetadata(o, request: request)
            case .object: row["object"] = o
            }
            return .object(row)
        }
        var table: [String: JSONValue] = [
            "kind": "Table", "apiVersion": .string(request.apiVersion), "metadata": .object(meta), "rows": .array(rows),
        ]
        table["columnDefinitions"] = includeColumns
            ? .array(columns.map { c in
                [
                    "name": .string(c.definition.name), "type": .string(c.definition.type), "format": .string(c.definition.format),
                    "description": .string(c.definition.description), "priority": .int(Int64(c.definition.priority)),
                ]
            })
            : .array([])
        return .object(table)
    }

    static func partialMetadata(_ object: JSONValue, request: TableRequest) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": .string(request.apiVersion), "metadata": object["metadata"] ?? [:]]
    }

    static func columns(for definition: ResourceDefinition) -> [Column] {
        let name = Column(definition: PrinterColumn(name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", jsonPath: ".metadata.name")) { o, _ in
            o.value(at: ["metadata", "name"]) ?? ""
        }
        if definition.isCustom {
            guard let custom = definition.printerColumns else { return [name, age] }
            return [name] + custom.map { column($0) }
        }
        return BuiltinTables.columns(for: definition, name: name, age: age)
    }

    static var age: Column {
        Column(definition: PrinterColumn(name: "Age", type: "date", description: "CreationTimestamp is a timestamp representing the server time when this object was created.", jsonPath: ".metadata.creationTimestamp")) { o, now in
            .string(TableAge.age(of: o.value(at: ["metadata", "creationTimestamp"])?.stringValue, now: now))
        }
    }

    /// A CRD printer column: the JSONPath's first result, typed; dates rendered as ages.
    static func column(_ c: PrinterColumn) -> Column {
        let path = JSONPathExpression(c.jsonPath)
        return Column(definition: c) { o, now in
            let results = path.evaluate(o)
            guard let first = results.first else { return .null }
            switch c.type {
            case "date":
                return .string(TableAge.age(of: first.stringValue, now: now))
            case "integer":
                return first.intValue.map(JSONValue.int) ?? .null
            case "number":
                if case .int = first { return first }
                if case .double = first { return first }
                return .null
            case "boolean":
                return first.boolValue.map(JSONValue.bool) ?? .null
            default:
                let texts = results.map { JSONPathExpression.scalarText($0) ?? $0.jsonString() }
                return .string(texts.joined(separator: ","))
            }
        }
    }

    /// A column computed from a path of keys.
    static func path(_ name: String, _ keys: [String], priority: Int = 0, type: String = "string") -> Column {
        Column(definition: PrinterColumn(name: name, type: type, priority: priority, jsonPath: "." + keys.joined(separator: "."))) { o, _ in
            o.value(at: keys) ?? (type == "string" ? "" : .null)
        }
    }
}
