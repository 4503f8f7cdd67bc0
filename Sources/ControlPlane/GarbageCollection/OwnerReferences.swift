import KubernetesAPI

/// The finalizers deletion propagation puts on an owner.
enum GarbageCollectionFinalizer {
    /// Foreground deletion: the owner stays until its blocking dependents are gone.
    static let foreground = "foregroundDeletion"
    /// Orphan deletion: the owner stays until its dependents no longer reference it.
    static let orphan = "orphan"
}

/// One entry of `metadata.ownerReferences`, as the collector reads it.
struct OwnerRef: Sendable, Hashable {
    var apiVersion: String
    var kind: String
    var name: String
    var uid: String
    var blockOwnerDeletion: Bool

    /// The group of `apiVersion` (empty for the core group).
    var group: String { GroupVersionKind(apiVersion: apiVersion, kind: kind).group }

    /// The owner references of an object; entries without a uid or name are skipped.
    static func of(_ object: JSONValue) -> [OwnerRef] {
        (object.value(at: ["metadata", "ownerReferences"])?.arrayValue ?? []).compactMap { ref in
            guard let uid = ref["uid"]?.stringValue, !uid.isEmpty, let name = ref["name"]?.stringValue else { return nil }
            return OwnerRef(
                apiVersion: ref["apiVersion"]?.stringValue ?? "", kind: ref["kind"]?.stringValue ?? "", name: name, uid: uid,
                blockOwnerDeletion: ref["blockOwnerDeletion"]?.boolValue ?? false)
        }
    }
}

/// What an owner reference points at, as verified against storage.
enum OwnerState: Sendable, Hashable {
    /// The owner exists with that uid and is not being deleted in the foreground.
    case solid
    /// No object with that uid exists where the reference points.
    case dangling
    /// The owner is being deleted in the foreground and waits for its dependents.
    case waitingForDependents
    /// The owner's kind is not served: nothing can be decided (the dependent is kept).
    case unresolvable
}

/// What the collector does with one dependent, decided from the states of its owners.
enum DependentAction: Sendable, Hashable {
    /// Leave it alone.
    case keep
    /// Delete it (in the foreground when an owner waits for its dependents).
    case delete(foreground: Bool)
    /// Drop the references to these (dangling) owner uids, and stop these (waiting) ones from blocking.
    case updateReferences(remove: Set<String>, unblock: Set<String>)

    /// The decision kube-apiserver's garbage collector makes: a dependent with a live owner stays (its
    /// references to absent owners are dropped); one whose owners are all gone is deleted; one whose
    /// remaining owners all wait for their dependents is deleted in the foreground.
    static func decide(_ owners: [(ref: OwnerRef, state: OwnerState)]) -> DependentAction {
        guard !owners.isEmpty else { return .keep }
        let solid = owners.filter { $0.state == .solid || $0.state == .unresolvable }
        let dangling = Set(owners.filter { $0.state == .dangling }.map(\.ref.uid))
        let waiting = owners.filter { $0.state == .waitingForDependents }
        if !solid.isEmpty {
            let unblock = Set(waiting.filter(\.ref.blockOwnerDeletion).map(\.ref.uid))
            if dangling.isEmpty && unblock.isEmpty { return .keep }
            return .updateReferences(remove: dangling, unblock: unblock)
        }
        return .delete(foreground: !waiting.isEmpty)
    }
}

extension JSONValue {
    /// The object with owner references to `remove` dropped and `blockOwnerDeletion` cleared on `unblock`.
    func updatingOwnerReferences(remove: Set<String>, unblock: Set<String> = []) -> JSONValue {
        guard let refs = value(at: ["metadata", "ownerReferences"])?.arrayValue else { return self }
        var kept: [JSONValue] = []
        for var ref in refs {
            let uid = ref["uid"]?.stringValue ?? ""
            if remove.contains(uid) { continue }
            if unblock.contains(uid) { ref["blockOwnerDeletion"] = false }
            kept.append(ref)
        }
        var o = self
        o.setValue(kept.isEmpty ? nil : .array(kept), at: ["metadata", "ownerReferences"])
        return o
    }

    /// The object without `finalizer` in `metadata.finalizers`.
    func removingFinalizer(_ finalizer: String) -> JSONValue {
        let remaining = ObjectLifecycle.finalizers(of: self).filter { $0 != finalizer }
        var o = self
        o.setValue(remaining.isEmpty ? nil : .array(remaining.map(JSONValue.string)), at: ["metadata", "finalizers"])
        return o
    }
}
