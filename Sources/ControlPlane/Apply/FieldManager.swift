import Foundation
import KubernetesAPI

/// Field ownership for the writes through one endpoint of one resource: records ordinary writes as `Update`
/// entries and performs server-side apply, keeping `metadata.managedFields` current.
struct FieldManager: Sendable {
    var scope: FieldScope
    /// The API version of the request, recorded in the entries it writes.
    var apiVersion: String
    /// The time written into changed entries (RFC 3339 seconds).
    var time: String

    init(definition: ResourceDefinition, subresource: String?, now: Date) {
        scope = FieldScope(definition: definition, subresource: subresource)
        apiVersion = definition.apiVersion
        time = KubeTime(now).description
    }

    /// The manager that owns the fields of an object that had no managedFields when it was first applied to.
    static let beforeFirstApply = "before-first-apply"

    private func identity(_ manager: String, _ operation: ManagedOperation) -> ManagerIdentity {
        ManagerIdentity(manager: manager, operation: operation, subresource: scope.subresource, apiVersion: apiVersion)
    }

    /// The entries an update starts from: the ones in the request when it changed them (a client may replace
    /// them, an empty list resets them), else the live object's.
    static func baseline(live: JSONValue?, new: JSONValue) -> ManagedFields {
        let liveFields = live.flatMap { ManagedFields(of: $0) } ?? ManagedFields()
        guard let sent = new.value(at: ["metadata", "managedFields"]), sent != live?.value(at: ["metadata", "managedFields"]) else {
            return liveFields
        }
        if sent.arrayValue?.isEmpty == true || sent.isNull { return ManagedFields() }
        return ManagedFields(of: new) ?? liveFields
    }

    /// `new` (an ordinary write over `live`, nil on create) with managedFields recording it: `manager` takes
    /// the fields it added or changed from everyone else, removed fields leave every entry, and its entry
    /// takes this write's time when the write changed anything.
    func update(live: JSONValue?, new: JSONValue, manager: String) -> JSONValue {
        var managed = Self.baseline(live: live, new: new)
        let me = identity(manager, .update)
        let comparison = FieldComparison(old: live.map { scope.members(of: $0) } ?? [:], new: scope.members(of: new))
        managed.release(comparison.changed, except: me)
        managed.release(comparison.removed, except: nil)
        let previous = managed[me]
        let fields = (previous?.fields ?? FieldSet()).union(comparison.changed).subtracting(comparison.removed)
        // As kube-apiserver: a write that changed anything (a new value for a field the manager already
        // owned included) stamps the manager's entry with its time; one that changed nothing keeps it.
        let changedEntry = previous?.fields != fields || previous?.apiVersion != apiVersion || !comparison.changed.isEmpty
        managed.set(ManagedFieldsEntry(identity: me, apiVersion: apiVersion, time: changedEntry ? time : previous?.time, fields: fields))
        managed.capUpdateManagers()
        return managed.stamp(new)
    }

    /// Server-side apply of `config` by `manager` to `live` (nil when the object does not exist yet).
    ///
    /// The configuration is merged into the live object. Fields another manager owns whose value would change
    /// are conflicts (thrown unless `force`, which moves them to `manager`). The manager then owns exactly the
    /// fields of its configuration; fields it applied before, no longer applies and nobody else owns are removed.
    /// An existing object without managedFields first has all its fields recorded as `before-first-apply`.
    func apply(live: JSONValue?, config: JSONValue, manager: String, force: Bool) throws -> JSONValue {
        var managed = live.flatMap { ManagedFields(of: $0) } ?? ManagedFields()
        if let live, managed.entries.allSatisfy(\.fields.isEmpty) {
            var unmanaged = live
            unmanaged.setValue(nil, at: ["metadata", "managedFields"])
            managed = ManagedFields(of: update(live: nil, new: unmanaged, manager: Self.beforeFirstApply)) ?? ManagedFields()
        }
        let me = identity(manager, .apply)
        var applied = config
        applied.setValue(nil, at: ["metadata", "managedFields"])
        let base = live ?? .object([:])
        var merged = ApplyMerge.merge(base, applied, schema: scope.schema)
        merged.setValue(base.value(at: ["metadata", "managedFields"]), at: ["metadata", "managedFields"])

        let changed = FieldComparison(old: scope.members(of: base), new: scope.members(of: merged)).changed
        var conflicts: [ApplyConflicts.Conflict] = []
        for entry in managed.entries where entry.identity != me {
            conflicts += entry.fields.intersection(changed).sorted.map { ApplyConflicts.Conflict(manager: entry.identity.manager, path: $0) }
        }
        if !conflicts.isEmpty && !force { throw ApplyConflicts(conflicts: conflicts) }
        managed.release(changed, except: me)

        let previousEntry = managed[me]
        let previous = previousEntry?.fields ?? FieldSet()
        let configFields = scope.fieldSet(of: applied)
        managed.set(ManagedFieldsEntry(identity: me, apiVersion: apiVersion, time: time, fields: configFields))
        let kept = configFields.union(managed.owned(except: me))
        var removed: [ManagedPath] = []
        // Parents sort before their members: a removed element or map takes its members along.
        for path in previous.subtracting(kept).sorted
        where !kept.hasMember(atOrBelow: path) && !path.isListMapKey && !removed.contains(where: { $0.isPrefix(of: path) }) {
            merged = ApplyMerge.remove(path, from: merged, schema: scope.schema) { kept.contains($0) }
            removed.append(path)
        }
        // An apply that changes nothing keeps its entry's time, so re-applying the same configuration is a no-op.
        if let previousEntry, merged == base {
            managed.set(ManagedFieldsEntry(identity: me, apiVersion: apiVersion, time: previousEntry.time, fields: configFields))
        }
        return managed.stamp(merged)
    }
}

/// Another manager owns fields an apply would change: kube-apiserver's 409 with FieldManagerConflict causes.
struct ApplyConflicts: Error, Sendable {
    /// One field and the manager that owns it.
    struct Conflict: Sendable, Hashable {
        var manager: String
        var path: ManagedPath
        var message: String { "conflict with \"\(manager)\": \(path.rendered)" }
    }

    var conflicts: [Conflict]

    /// `Apply failed with 1 conflict: conflict with "kubectl-patch": .spec.size`.
    var message: String {
        let ordered = conflicts.sorted { ($0.manager, $0.path.rendered) < ($1.manager, $1.path.rendered) }
        let noun = ordered.count == 1 ? "1 conflict" : "\(ordered.count) conflicts"
        return "Apply failed with \(noun): " + ordered.map(\.message).joined(separator: "; ")
    }

    /// The Status error kubectl reads (409 Conflict, one FieldManagerConflict cause per field).
    var apiError: APIError {
        let ordered = conflicts.sorted { ($0.manager, $0.path.rendered) < ($1.manager, $1.path.rendered) }
        return APIError(
            code: 409, reason: StatusReason.conflict, message: message,
            details: StatusDetails(causes: ordered.map { StatusCause(reason: "FieldManagerConflict", message: $0.message, field: $0.path.rendered) }))
    }
}
