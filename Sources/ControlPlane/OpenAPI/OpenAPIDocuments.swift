import Foundation
import KubernetesAPI

/// OpenAPI v3 documents per group-version, built from the registry (so CRDs appear at once), and the
/// empty protobuf v2 document that keeps kubectl's fallback path happy.
struct OpenAPIDocuments: Sendable {
    let registry: ResourceRegistry

    /// `/openapi/v3`: every served group-version with a content hash.
    func index() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for gv in groupVersions() {
            let doc = document(group: gv.group, version: gv.version)
            let prefix = gv.group.isEmpty ? "api/\(gv.version)" : "apis/\(gv.group)/\(gv.version)"
            paths[prefix] = ["serverRelativeURL": .string("/openapi/v3/\(prefix)?hash=\(Self.hash(CompactJSON.encode(doc)))")]
        }
        return ["paths": .object(paths)]
    }

    private func groupVersions() -> [(group: String, version: String)] {
        var seen = Set<String>()
        var out: [(String, String)] = []
        for d in registry.all where seen.insert(d.apiVersion).inserted { out.append((d.group, d.version)) }
        return out
    }

    /// The document of one group-version, or nil when it is not served.
    func document(group: String, version: String) -> JSONValue {
        let defs = registry.all.filter { $0.group == group && $0.version == version }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": MetaSchemas.objectMeta,
            "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta": MetaSchemas.listMeta,
        ]
        for d in defs {
            let name = Self.schemaName(d)
            schemas[name] = objectSchema(d)
            schemas[name + "List"] = listSchema(d, itemRef: name)
            let prefix = d.group.isEmpty ? "/api/\(d.version)" : "/apis/\(d.group)/\(d.version)"
            let collection = d.namespaced ? "\(prefix)/namespaces/{namespace}/\(d.plural)" : "\(prefix)/\(d.plural)"
            paths[collection] = collectionPath(d, schema: name)
            paths[collection + "/{name}"] = itemPath(d, schema: name, namespaced: d.namespaced)
            if d.hasStatusSubresource { paths[collection + "/{name}/status"] = itemPath(d, schema: name, namespaced: d.namespaced) }
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(paths), "components": ["schemas": .object(schemas)],
        ]
    }

    /// `com.example.v1.Widget`, `io.k8s.api.core.v1.ConfigMap`.
    static func schemaName(_ d: ResourceDefinition) -> String {
        switch d.group {
        case "": return "io.k8s.api.core.v1.\(d.kind)"
        case "apiextensions.k8s.io": return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.\(d.version).\(d.kind)"
        case let g where !d.isCustom:
            let short = g.hasSuffix(".k8s.io") ? String(g.dropLast(".k8s.io".count)) : g
            return "io.k8s.api.\(short).\(d.version).\(d.kind)"
        default:
            return d.group.split(separator: ".").reversed().joined(separator: ".") + ".\(d.version).\(d.kind)"
        }
    }

    private func gvk(_ d: ResourceDefinition, kind: String) -> JSONValue {
        ["group": .string(d.group), "version": .string(d.version), "kind": .string(kind)]
    }

    private func objectSchema(_ d: ResourceDefinition) -> JSONValue {
        var s = d.schema ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
        var properties = s["properties"]?.objectValue ?? [:]
        properties["metadata"] = ["description": "Standard object's metadata.", "allOf": [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]]]
        if properties["apiVersion"] == nil { properties["apiVersion"] = ["type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."] }
        if properties["kind"] == nil { properties["kind"] = ["type": "string", "description": "Kind is a string value representing the REST resource this object represents."] }
        s["properties"] = .object(properties)
        if s["type"] == nil { s["type"] = "object" }
        s["x-kubernetes-group-version-kind"] = [gvk(d, kind: d.kind)]
        return s
    }

    private func listSchema(_ d: ResourceDefinition, itemRef: String) -> JSONValue {
        [
            "type": "object", "description": .string("\(d.listKind) is a list of \(d.kind)"), "required": ["items"],
            "properties": [
                "apiVersion": ["type": "string"], "kind": ["type": "string"],
                "items": ["type": "array", "items": ["$ref": .string("#/components/schemas/\(itemRef)")]],
                "metadata": ["allOf": [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"]]],
            ],
            "x-kubernetes-group-version-kind": [gvk(d, kind: d.listKind)],
        ]
    }

    private static func parameter(_ name: String, in location: String = "query") -> JSONValue {
        var p: JSONValue = ["name": .string(name), "in": .string(location), "schema": ["type": "string"], "uniqueItems": true]
        if location == "path" { p["required"] = true }
        return p
    }

    private func response(_ schema: String) -> JSONValue {
        ["description": "OK", "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]]
    }

    private func collectionPath(_ d: ResourceDefinition, schema: String) -> JSONValue {
        var params: [JSONValue] = []
        if d.namespaced { params.append(Self.parameter("namespace", in: "path")) }
        return [
            "get": ["x-kubernetes-group-version-kind": gvk(d, kind: d.kind), "x-kubernetes-action": "list", "responses": ["200": response(schema + "List")]],
            "post": [
                "x-kubernetes-group-version-kind": gvk(d, kind: d.kind), "x-kubernetes-action": "post",
                "parameters": .array(["dryRun", "fieldManager", "fieldValidation"].map { Self.parameter($0) }),
                "requestBody": ["content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]],
                "responses": ["201": response(schema)],
            ],
            "parameters": .array(params),
        ]
    }

    private func itemPath(_ d: ResourceDefinition, schema: String, namespaced: Bool) -> JSONValue {
        var params: [JSONValue] = [Self.parameter("name", in: "path")]
        if namespaced { params.append(Self.parameter("namespace", in: "path")) }
        let writeParams = JSONValue.array(["dryRun", "fieldManager", "fieldValidation"].map { Self.parameter($0) })
        // Strategic merge patch is deliberately not advertised: kubectl then uses its built-in structs for core
        // kinds and merge patch for custom resources.
        return [
            "get": ["x-kubernetes-group-version-kind": gvk(d, kind: d.kind), "x-kubernetes-action": "get", "responses": ["200": response(schema)]],
            "put": [
                "x-kubernetes-group-version-kind": gvk(d, kind: d.kind), "x-kubernetes-action": "put", "parameters": writeParams,
                "requestBody": ["content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]],
                "responses": ["200": response(schema)],
            ],
            "patch": [
                "x-kubernetes-group-version-kind": gvk(d, kind: d.kind), "x-kubernetes-action": "patch",
                "parameters": .array(["dryRun", "fieldManager", "fieldValidation", "force"].map { Self.parameter($0) }),
                "requestBody": ["content": [
                    "application/json-patch+json": ["schema": ["type": "object"]],
                    "application/merge-patch+json": ["schema": ["type": "object"]],
                    "application/apply-patch+yaml": ["schema": ["type": "object"]],
                ]],
                "responses": ["200": response(schema), "201": response(schema)],
            ],
            "delete": ["x-kubernetes-group-version-kind": gvk(d, kind: d.kind), "x-kubernetes-action": "delete", "responses": ["200": response(schema)]],
            "parameters": .array(params),
        ]
    }

    /// A short stable hash of a document, for `?hash=`.
    static func hash(_ data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(format: "%016llX", h)
    }

    /// The empty but valid gnostic OpenAPI v2 protobuf document (`application/octet-stream`).
    static let emptyV2Protobuf: [UInt8] =
        [0x0a, 0x03] + Array("2.0".utf8) + [0x12, 0x15, 0x0a, 0x0a] + Array("Kubernetes".utf8) + [0x12, 0x07] + Array("v1.32.0".utf8) + [0x42, 0x00]
}

/// Schemas of object and list metadata.
enum MetaSchemas {
    static let objectMeta: JSONValue = BuiltinSchemas.object(
        "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
        [
            "name": BuiltinSchemas.string("Name must be unique within a namespace."),
            "generateName": BuiltinSchemas.string("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
            "namespace": BuiltinSchemas.string("Namespace defines the space within which each name must be unique."),
            "uid": BuiltinSchemas.string("UID is the unique in time and space value for this object."),
            "resourceVersion": BuiltinSchemas.string("An opaque value that represents the internal version of this object."),
            "generation": ["type": "integer", "format": "int64", "description": "A sequence number representing a specific generation of the desired state."],
            "creationTimestamp": ["type": "string", "format": "date-time", "description": "CreationTimestamp is a timestamp representing the server time when this object was created."],
            "deletionTimestamp": ["type": "string", "format": "date-time", "description": "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted."],
            "deletionGracePeriodSeconds": ["type": "integer", "format": "int64", "description": "Number of seconds allowed for this object to gracefully terminate."],
            "labels": BuiltinSchemas.stringMap("Map of string keys and values that can be used to organize and categorize objects."),
            "annotations": BuiltinSchemas.stringMap("Annotations is an unstructured key value map stored with a resource."),
            "finalizers": BuiltinSchemas.array("Must be empty before the object is deleted from the registry.", ["type": "string"]),
            "ownerReferences": BuiltinSchemas.array("List of objects depended by this object.", BuiltinSchemas.free("OwnerReference contains enough information to let you identify an owning object.")),
            "managedFields": BuiltinSchemas.array("ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.", BuiltinSchemas.free("ManagedFieldsEntry")),
        ])

    static let listMeta: JSONValue = BuiltinSchemas.object(
        "ListMeta describes metadata that synthetic resources must have.",
        [
            "resourceVersion": BuiltinSchemas.string("String that identifies the server's internal version of this object."),
            "continue": BuiltinSchemas.string("continue may be set if the user set a limit on the number of items returned."),
            "remainingItemCount": ["type": "integer", "format": "int64", "description": "The number of subsequent items in the list."],
        ])
}
