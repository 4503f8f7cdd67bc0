import Foundation
import KubernetesAPI

/// The server-owned metadata rules of create, update and delete, as pure functions of the objects and the time.
enum ObjectLifecycle {
    /// Metadata fields only the server sets.
    private static let serverOwned = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion", "selfLink"]

    /// Stamps a new object: uid (UUIDv4), creationTimestamp (seconds, UTC), generation 1; drops status when the
    /// status subresource owns it.
    static func prepareCreate(_ object: JSONValue, definition: ResourceDefinition, now: Date) -> JSONValue {
        var o = object
        for key in serverOwned { o.setValue(nil, at: ["metadata", key]) }
        o.setValue(.string(UUID().uuidString.lowercased()), at: ["metadata", "uid"])
        o.setValue(.string(KubeTime(now).description), at: ["metadata", "creationTimestamp"])
        if definition.tracksGeneration { o.setValue(.int(1), at: ["metadata", "generation"]) }
        if definition.hasStatusSubresource { o.setValue(nil, at: ["status"]) }
        o.setValue(.string(definition.apiVersion), at: ["apiVersion"])
        o.setValue(.string(definition.kind), at: ["kind"])
        return o
    }

    /// Builds the state of an update of `old` with `new` through the main endpoint or `/status`.
    ///
    /// Server-owned metadata is carried over; the main endpoint keeps the old status when the status
    /// subresource is enabled; `/status` keeps everything but status. (Generation and finalizer rules are
    /// applied on the admitted result, see `ResourceHandler.write`.) A `metadata.uid` other than the
    /// stored one is refused (422, as kube-apiserver validates it); an empty one means the stored one.
    static func prepareUpdate(old: JSONValue, new: JSONValue, definition: ResourceDefinition, subresource: String?) throws -> JSONValue {
        if let uid = new.value(at: ["metadata", "uid"])?.stringValue, !uid.isEmpty, uid != old.value(at: ["metadata", "uid"])?.stringValue {
            throw APIError.invalid(
                kind: definition.kind, group: definition.group, name: name(of: old), causes: [.invalid("metadata.uid", value: .string(uid), "field is immutable")])
        }
        var o: JSONValue
        if subresource == "status" {
            o = old
            o.setValue(new["status"], at: ["status"])
        } else {
            o = new
            for key in serverOwned { o.setValue(old.value(at: ["metadata", key]), at: ["metadata", key]) }
            if definition.hasStatusSubresource { o.setValue(old["status"], at: ["status"]) }
        }
        o.setValue(.string(definition.apiVersion), at: ["apiVersion"])
        o.setValue(.string(definition.kind), at: ["kind"])
        o.setValue(old.value(at: ["metadata", "name"]), at: ["metadata", "name"])
        o.setValue(old.value(at: ["metadata", "namespace"]), at: ["metadata", "namespace"])
        return o
    }

    /// `new` with the generation of `old`, plus one when anything outside metadata (and status, when it is
    /// a subresource) changed; none for a kind that does not track one (``ResourceDefinition/tracksGeneration``).
    static func withGeneration(old: JSONValue, new: JSONValue, statusIsSubresource: Bool, tracked: Bool = true) -> JSONValue {
        var o = new
        guard tracked else {
            o.setValue(nil, at: ["metadata", "generation"])
            return o
        }
        let generation = old.value(at: ["metadata", "generation"])?.intValue ?? 1
        let changed = specChanged(old: old, new: new, statusIsSubresource: statusIsSubresource)
        o.setValue(.int(changed ? generation + 1 : generation), at: ["metadata", "generation"])
        return o
    }

    /// True when anything outside metadata (and status, if it is a subresource) differs.
    static func specChanged(old: JSONValue, new: JSONValue, statusIsSubresource: Bool) -> Bool {
        func strip(_ v: JSONValue) -> JSONValue {
            guard var o = v.objectValue else { return v }
            o["metadata"] = nil
            o["apiVersion"] = nil
            o["kind"] = nil
            if statusIsSubresource { o["status"] = nil }
            return .object(o)
        }
        return strip(old) != strip(new)
    }

    /// ConfigMaps and Secrets marked `immutable: true` keep their data and stay immutable (422).
    static func checkImmutable(old: JSONValue, new: JSONValue, definition: ResourceDefinition) throws {
        guard definition.group.isEmpty, ["configmaps", "secrets"].contains(definition.plural), old["immutable"] == true else { return }
        var errors: [FieldError] = []
        for field in ["data", "binaryData"] where old[field] != new[field] {
            errors.append(.forbidden(field, "field is immutable when `immutable` is set"))
        }
        if new["immutable"] != true { errors.append(.forbidden("immutable", "field is immutable when `immutable` is set")) }
        if !errors.isEmpty { throw APIError.invalid(kind: definition.kind, group: definition.group, name: name(of: old), causes: errors) }
    }

    /// Adding finalizers to an object that is being deleted is forbidden (422).
    static func checkFinalizers(old: JSONValue, new: JSONValue, definition: ResourceDefinition) throws {
        guard old.value(at: ["metadata", "deletionTimestamp"]) != nil else { return }
        let before = Set(finalizers(of: old))
        let added = finalizers(of: new).filter { !before.contains($0) }
        guard !added.isEmpty else { return }
        let list = added.map { "\"\($0)\"" }.joined(separator: ", ")
        throw APIError.invalid(
            kind: definition.kind, group: definition.group, name: name(of: old),
            causes: [.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted, found new finalizers []string{\(list)}")])
    }

    /// Marks an object with finalizers as being deleted: deletionTimestamp now, grace period 0.
    static func markDeleting(_ object: JSONValue, now: Date) -> JSONValue {
        guard object.value(at: ["metadata", "deletionTimestamp"]) == nil else { return object }
        var o = object
        o.setValue(.string(KubeTime(now).description), at: ["metadata", "deletionTimestamp"])
        o.setValue(.int(0), at: ["metadata", "deletionGracePeriodSeconds"])
        // kube-apiserver bumps a generation it tracks when the deletion starts, so controllers that
        // act only on generation changes see it.
        if let generation = o.value(at: ["metadata", "generation"])?.intValue, generation > 0 {
            o.setValue(.int(generation + 1), at: ["metadata", "generation"])
        }
        return o
    }

    /// `markDeleting`, plus the finalizer that makes the garbage collector carry out a Foreground
    /// (`foregroundDeletion`) or Orphan (`orphan`) deletion.
    static func markDeleting(_ object: JSONValue, now: Date, propagation: DeletionPropagation) -> JSONValue {
        var o = markDeleting(object, now: now)
        let finalizer: String
        switch propagation {
        case .background: return o
        case .foreground: finalizer = GarbageCollectionFinalizer.foreground
        case .orphan: finalizer = GarbageCollectionFinalizer.orphan
        }
        var finalizers = Self.finalizers(of: o)
        if !finalizers.contains(finalizer) { finalizers.append(finalizer) }
        o.setValue(.array(finalizers.map(JSONValue.string)), at: ["metadata", "finalizers"])
        return o
    }

    /// True when the object is being deleted and no finalizer holds it any more.
    static func readyToRemove(_ object: JSONValue) -> Bool {
        object.value(at: ["metadata", "deletionTimestamp"]) != nil && finalizers(of: object).isEmpty
    }

    static func finalizers(of object: JSONValue) -> [String] {
        object.value(at: ["metadata", "finalizers"])?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    static func name(of object: JSONValue) -> String {
        object.value(at: ["metadata", "name"])?.stringValue ?? ""
    }

    /// The object's `metadata.resourceVersion` as a revision, when set and not empty.
    static func resourceVersion(of object: JSONValue) throws -> Int64? {
        guard let text = object.value(at: ["metadata", "resourceVersion"])?.stringValue, !text.isEmpty else { return nil }
        guard let rv = Int64(text) else {
            throw APIError.badRequest("invalid resourceVersion \"\(text)\": must be an integer")
        }
        return rv
    }
}
