import Foundation
import KubeClient
import KubernetesAPI

extension ConditionedStatus {
    /// `meta.SetStatusCondition` for each of `conditions` (see `[Condition].set`), with
    /// `observedGeneration` stamped from `generation` on the status and on every condition that
    /// carries none. Returns whether anything changed.
    @discardableResult
    public mutating func setConditions(_ conditions: [Condition], generation: Int64?) -> Bool {
        var changed = false
        for var condition in conditions {
            if condition.observedGeneration == nil { condition.observedGeneration = generation }
            changed = self.conditions.set(condition) || changed
        }
        if let generation, observedGeneration != generation {
            observedGeneration = generation
            changed = true
        }
        return changed
    }
}

/// Status writes that touch only the fields their writer owns.
///
/// A whole-status `updateStatus` of a cached copy carries every field and the copy's
/// `resourceVersion`: it fails with 409 whenever anyone else wrote the object in between, and
/// would put back stale values of fields another controller owns. These helpers send a JSON merge
/// patch of exactly the owned fields, without a `resourceVersion` precondition: each field has
/// one writer, so there is nothing to lose and nothing to conflict with.
extension StatusWriter where Object: StatusHavingResource {
    /// Merge-patches `fields` (top-level keys of `status`) into `object`'s status subresource:
    /// each with its value in `status`, or null when `status` leaves it empty.
    @discardableResult
    public func patchStatus(_ object: Object, fields: [String], from status: Object.ResourceStatus) async throws -> Object {
        try await patchStatus(
            object.metadata.name ?? "", namespace: object.metadata.namespace,
            patch: StatusPatch.merge(status, fields: fields), options: WriteOptions())
    }
}

extension StatusWriter where Object: StatusHavingResource, Object.ResourceStatus: ConditionedStatus {
    /// Sets `conditions` on `object`'s status with `SetStatusCondition` semantics and
    /// `observedGeneration` = `metadata.generation`, then writes `conditions` and
    /// `observedGeneration` (only) when anything changed. `empty` is the status of an object that
    /// has none yet. Returns the written object; nil when nothing changed or the object is gone.
    @discardableResult
    public func setConditions(_ conditions: [Condition], on object: Object, empty: Object.ResourceStatus) async throws -> Object? {
        var status = object.status ?? empty
        guard status.setConditions(conditions, generation: object.metadata.generation) else { return nil }
        do {
            return try await patchStatus(object, fields: StatusPatch.conditionFields, from: status)
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }
}

/// Builds the merge patches of the status helpers.
public enum StatusPatch {
    /// The fields a conditions write owns: `conditions` and `observedGeneration`.
    public static let conditionFields = ["conditions", "observedGeneration"]

    /// `{"status": {field: value-or-null, …}}` for `fields` of `status`.
    public static func merge<S: Encodable>(_ status: S, fields: [String]) throws -> JSONValue {
        let encoded = try JSONValue(encoding: status).objectValue ?? [:]
        var owned: [String: JSONValue] = [:]
        for field in fields { owned[field] = encoded[field] ?? .null }
        return ["status": .object(owned)]
    }
}
