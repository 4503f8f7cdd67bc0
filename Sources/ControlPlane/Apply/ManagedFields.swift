import Foundation
import KubernetesAPI

/// The operation a `managedFields` entry records.
enum ManagedOperation: String, Sendable, Hashable {
    case apply = "Apply"
    case update = "Update"
}

/// Who owns a set of fields: a manager name, its operation and endpoint, and (for updates) the version it wrote.
struct ManagerIdentity: Hashable, Sendable {
    var manager: String
    var operation: ManagedOperation
    /// `status`, or empty for the main endpoint.
    var subresource: String
    /// The API version of an update; empty for apply, whose ownership does not depend on the version.
    var apiVersion: String

    init(manager: String, operation: ManagedOperation, subresource: String?, apiVersion: String) {
        self.manager = manager
        self.operation = operation
        self.subresource = subresource ?? ""
        self.apiVersion = operation == .apply ? "" : apiVersion
    }
}

/// One entry of `metadata.managedFields`.
struct ManagedFieldsEntry: Sendable, Hashable {
    var identity: ManagerIdentity
    /// The API version the fields are expressed in.
    var apiVersion: String
    /// RFC 3339 seconds, as kube-apiserver writes it.
    var time: String?
    var fields: FieldSet

    /// Reads one entry; nil when it is not a well-formed FieldsV1 entry.
    init?(_ value: JSONValue) {
        guard let manager = value["manager"]?.stringValue,
            let operation = value["operation"]?.stringValue.flatMap(ManagedOperation.init(rawValue:)),
            (value["fieldsType"]?.stringValue ?? "FieldsV1") == "FieldsV1",
            let fields = try? FieldSet(fieldsV1: value["fieldsV1"] ?? .object([:]))
        else { return nil }
        apiVersion = value["apiVersion"]?.stringValue ?? ""
        identity = ManagerIdentity(manager: manager, operation: operation, subresource: value["subresource"]?.stringValue, apiVersion: apiVersion)
        time = value["time"]?.stringValue
        self.fields = fields
    }

    init(identity: ManagerIdentity, apiVersion: String, time: String?, fields: FieldSet) {
        self.identity = identity
        self.apiVersion = apiVersion
        self.time = time
        self.fields = fields
    }

    /// The entry as served.
    var encoded: JSONValue {
        var o: [String: JSONValue] = [
            "manager": .string(identity.manager), "operation": .string(identity.operation.rawValue),
            "apiVersion": .string(apiVersion), "fieldsType": "FieldsV1", "fieldsV1": fields.fieldsV1,
        ]
        if let time { o["time"] = .string(time) }
        if !identity.subresource.isEmpty { o["subresource"] = .string(identity.subresource) }
        return .object(o)
    }
}

/// The `managedFields` of an object, as a list of entries keyed by manager identity.
struct ManagedFields: Sendable, Hashable {
    var entries: [ManagedFieldsEntry]

    init(entries: [ManagedFieldsEntry] = []) { self.entries = entries }

    /// The object's entries; nil when `metadata.managedFields` is absent or not well formed.
    init?(of object: JSONValue) {
        guard let list = object.value(at: ["metadata", "managedFields"])?.arrayValue else { return nil }
        var entries: [ManagedFieldsEntry] = []
        for value in list {
            guard let entry = ManagedFieldsEntry(value) else { return nil }
            entries.append(entry)
        }
        self.entries = entries
    }

    subscript(_ identity: ManagerIdentity) -> ManagedFieldsEntry? {
        entries.first { $0.identity == identity }
    }

    /// Replaces (or adds) the entry of `entry.identity`.
    mutating func set(_ entry: ManagedFieldsEntry) {
        if let i = entries.firstIndex(where: { $0.identity == entry.identity }) {
            entries[i] = entry
        } else {
            entries.append(entry)
        }
    }

    /// Removes `fields` from every entry but `except`'s.
    mutating func release(_ fields: FieldSet, except: ManagerIdentity?) {
        guard !fields.isEmpty else { return }
        for i in entries.indices where entries[i].identity != except {
            entries[i].fields = entries[i].fields.subtracting(fields)
        }
    }

    /// Every field owned by an entry other than `except`.
    func owned(except: ManagerIdentity?) -> FieldSet {
        entries.filter { $0.identity != except }.reduce(FieldSet()) { $0.union($1.fields) }
    }

    /// The entries as served: empty ones dropped, ordered Apply before Update, then by time, manager,
    /// version and subresource.
    var encoded: JSONValue {
        let kept = entries.filter { !$0.fields.isEmpty }.sorted { p, q in
            if p.identity.operation != q.identity.operation { return p.identity.operation.rawValue < q.identity.operation.rawValue }
            if (p.time ?? "") != (q.time ?? "") { return (p.time ?? "") < (q.time ?? "") }
            if p.identity.manager != q.identity.manager { return p.identity.manager < q.identity.manager }
            if p.apiVersion != q.apiVersion { return p.apiVersion < q.apiVersion }
            return p.identity.subresource < q.identity.subresource
        }
        return .array(kept.map(\.encoded))
    }

    /// `object` carrying these entries (the member is removed when none is left).
    func stamp(_ object: JSONValue) -> JSONValue {
        var o = object
        let value = encoded
        o.setValue(value.arrayValue?.isEmpty == true ? nil : value, at: ["metadata", "managedFields"])
        return o
    }
}
