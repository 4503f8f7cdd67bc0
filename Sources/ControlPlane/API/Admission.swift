import Foundation
import KubernetesAPI

/// `fieldValidation`: what to do with fields the schema does not know.
enum FieldValidation: String, Sendable {
    case strict = "Strict"
    case warn = "Warn"
    case ignore = "Ignore"

    /// Reads the query parameter; kube-apiserver's default is Warn.
    init(query: String?) throws {
        guard let query, !query.isEmpty else {
            self = .warn
            return
        }
        guard let v = FieldValidation(rawValue: query) else {
            throw APIError.badRequest("fieldValidation parameter unsupported: \(query)")
        }
        self = v
    }
}

/// Defaulting, pruning and validation applied to every object before it is stored.
enum Admission {
    /// Prepares a new or updated object of `definition`: unknown fields (per `fieldValidation`), then
    /// for custom resources schema pruning, defaulting and validation, for built-ins their defaults.
    /// Returns the object and any warnings. `old` is the stored object an update replaces: fields it already
    /// held unchanged are not validated again.
    static func admit(
        _ object: JSONValue, definition: ResourceDefinition, fieldValidation: FieldValidation, isCreate: Bool, now: Date,
        old: JSONValue? = nil
    ) throws -> (object: JSONValue, warnings: [String]) {
        try MetadataTypes.check(object, old: old, definition: definition)
        try EscalationCheck.verify(object, definition: definition)
        let metadataErrors = ObjectMetaValidation.errors(object, old: old)
        if !metadataErrors.isEmpty {
            throw APIError.invalid(kind: definition.kind, group: definition.group, name: ObjectLifecycle.name(of: object), causes: metadataErrors)
        }
        var (o, unknown) = UnknownFields.prune(object, definition: definition)
        let warnings = try report(unknown, definition: definition, fieldValidation: fieldValidation)
        if definition.isCustom, let schema = definition.schema {
            o = SchemaDefaulting.apply(o, schema: schema)
            let errors = SchemaValidation.validate(o, schema: schema, old: old)
            if !errors.isEmpty {
                throw APIError.invalid(kind: definition.kind, group: definition.group, name: ObjectLifecycle.name(of: o), causes: errors)
            }
            o = SchemaNumbers.normalize(o, schema: schema)
        } else {
            try BuiltinAdmission.admit(&o, definition: definition, isCreate: isCreate, now: now)
            let errors = BuiltinValidation.errors(o, old: old, definition: definition)
            if !errors.isEmpty {
                throw APIError.invalid(kind: definition.kind, group: definition.group, name: ObjectLifecycle.name(of: o), causes: errors)
            }
        }
        return (o, warnings)
    }

    /// Strict: 400 with kube-apiserver's strict decoding message; Warn: one warning per field; Ignore: nothing.
    private static func report(_ unknown: [String], definition: ResourceDefinition, fieldValidation: FieldValidation) throws -> [String] {
        guard !unknown.isEmpty else { return [] }
        switch fieldValidation {
        case .strict:
            let list = unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
            throw APIError.badRequest(
                "\(definition.kind) in version \"\(definition.version)\" cannot be handled as a \(definition.kind): strict decoding error: \(list)")
        case .warn:
            return unknown.map { "unknown field \"\($0)\"" }
        case .ignore:
            return []
        }
    }
}

/// Which fields of an incoming object the server does not know, and the object without them.
///
/// Custom resources are pruned against their structural schema. Built-in kinds are checked at the top level
/// only (their nested schemas here are not complete). `metadata` is checked against ObjectMeta for every kind.
enum UnknownFields {
    static func prune(_ object: JSONValue, definition: ResourceDefinition) -> (JSONValue, [String]) {
        var unknown: [String] = []
        var o = object
        if let meta = o["metadata"]?.objectValue, let known = MetaSchemas.objectMeta["properties"]?.objectValue {
            let extra = meta.keys.filter { known[$0] == nil && $0 != "selfLink" }.sorted()
            if !extra.isEmpty {
                unknown += extra.map { "metadata.\($0)" }
                o["metadata"] = .object(meta.filter { !extra.contains($0.key) })
            }
        }
        guard let schema = definition.schema else { return (o, unknown) }
        if definition.isCustom {
            let (pruned, fields) = SchemaPruning.prune(o, schema: schema)
            return (pruned, unknown + fields)
        }
        guard var members = o.objectValue, let known = schema["properties"]?.objectValue else { return (o, unknown) }
        for key in members.keys.sorted() where known[key] == nil && !["apiVersion", "kind", "metadata"].contains(key) {
            unknown.append(key)
            members[key] = nil
        }
        return (.object(members), unknown.sorted())
    }
}

/// Defaults and checks of the built-in kinds.
enum BuiltinAdmission {
    /// kube-apiserver's NetworkPolicy defaults: `spec.podSelector` is always present (`{}` selects
    /// every pod), `policyTypes` left empty is `[Ingress]` (and `Egress` when egress rules are given),
    /// and a port without `protocol` is TCP: a policy stored here reads back as kube-apiserver would
    /// store it.
    static func networkPolicyDefaults(_ o: inout JSONValue) {
        if o.value(at: ["spec", "podSelector"]) == nil { o.setValue([:], at: ["spec", "podSelector"]) }
        if (o.value(at: ["spec", "policyTypes"])?.arrayValue ?? []).isEmpty {
            let egress = !(o.value(at: ["spec", "egress"])?.arrayValue ?? []).isEmpty
            o.setValue(egress ? ["Ingress", "Egress"] : ["Ingress"], at: ["spec", "policyTypes"])
        }
        for direction in ["ingress", "egress"] {
            guard let rules = o.value(at: ["spec", direction])?.arrayValue else { continue }
            o.setValue(.array(rules.map { rule in
                guard var rule = rule.objectValue, let ports = rule["ports"]?.arrayValue else { return rule }
                rule["ports"] = .array(ports.map { port in
                    guard var port = port.objectValue else { return port }
                    if port["protocol"] == nil { port["protocol"] = "TCP" }
                    return .object(port)
                })
                return .object(rule)
            }), at: ["spec", direction])
        }
    }

    static func admit(_ o: inout JSONValue, definition: ResourceDefinition, isCreate: Bool, now: Date) throws {
        let name = ObjectLifecycle.name(of: o)
        switch (definition.group, definition.kind) {
        case ("", "Namespace"):
            o.setValue(.string(name), at: ["metadata", "labels", "kubernetes.io/metadata.name"])
            if isCreate {
                if o.value(at: ["spec", "finalizers"]) == nil { o.setValue(["kubernetes"], at: ["spec", "finalizers"]) }
                o.setValue("Active", at: ["status", "phase"])
            }
        case ("", "Secret"):
            if (o["type"]?.stringValue ?? "").isEmpty { o["type"] = "Opaque" }
            if let stringData = o["stringData"]?.objectValue {
                for (k, v) in stringData {
                    o.setValue(.string(Data((v.stringValue ?? "").utf8).base64EncodedString()), at: ["data", k])
                }
                o["stringData"] = nil
            }
        case ("", "Service"):
            if o.value(at: ["spec", "type"]) == nil { o.setValue("ClusterIP", at: ["spec", "type"]) }
            if o.value(at: ["spec", "sessionAffinity"]) == nil { o.setValue("None", at: ["spec", "sessionAffinity"]) }
            // kube-apiserver always serves `status: {loadBalancer: {}}`.
            if o.value(at: ["status", "loadBalancer"]) == nil { o.setValue([:], at: ["status", "loadBalancer"]) }
            if let ports = o.value(at: ["spec", "ports"])?.arrayValue {
                o.setValue(.array(ports.map { p in
                    var p = p
                    if p["protocol"] == nil { p["protocol"] = "TCP" }
                    if p["targetPort"] == nil, let port = p["port"] { p["targetPort"] = port }
                    return p
                }), at: ["spec", "ports"])
            }
        case ("apps", "Deployment"):
            if o.value(at: ["spec", "replicas"]) == nil { o.setValue(1, at: ["spec", "replicas"]) }
        case ("networking.k8s.io", "NetworkPolicy"):
            networkPolicyDefaults(&o)
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            CustomResourceDefinitions.applyDefaults(&o)
            let errors = CustomResourceDefinitions.validate(o)
            if !errors.isEmpty {
                throw APIError.invalid(kind: definition.kind, group: definition.group, name: name, causes: errors)
            }
        default:
            break
        }
    }
}
