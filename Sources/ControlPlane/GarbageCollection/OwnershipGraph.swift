import KubernetesAPI

/// The collector's index of who depends on whom, built from the store's lists and watches.
///
/// Only objects with owner references are kept: for each, its references; for each owner uid, its
/// dependents. Applying a change returns the work it causes (dependents to verify, owners to re-check).
/// A value type owned by the collector's single loop task.
struct OwnershipGraph: Sendable {
    /// Work for the collector.
    enum Work: Sendable, Hashable {
        /// Verify a dependent's owners (and delete it or drop references when they are gone).
        case dependent(StorageKey)
        /// Re-check an owner being deleted with the `foregroundDeletion` or `orphan` finalizer.
        case owner(StorageKey)
    }

    private var references: [StorageKey: [OwnerRef]] = [:]
    private var dependents: [String: Set<StorageKey>] = [:]

    /// The dependents recorded for an owner uid.
    func dependents(of uid: String) -> Set<StorageKey> { dependents[uid] ?? [] }

    /// The owner references recorded for a dependent.
    func references(of key: StorageKey) -> [OwnerRef] { references[key] ?? [] }

    /// The number of dependents indexed.
    var count: Int { references.count }

    /// Records an object's current state (created, changed or seen in a list).
    mutating func upsert(_ key: StorageKey, object: JSONValue, resolveOwner: (OwnerRef, StorageKey) -> StorageKey?) -> [Work] {
        var work: [Work] = []
        let refs = OwnerRef.of(object)
        let old = references[key] ?? []
        if refs != old {
            set(key, refs: refs, old: old)
            // A new reference must be verified; a dropped one may unblock an owner deleting in the foreground.
            if !Set(refs.map(\.uid)).isSubset(of: Set(old.map(\.uid))) { work.append(.dependent(key)) }
            for ref in old where !refs.contains(where: { $0.uid == ref.uid }) {
                if let owner = resolveOwner(ref, key) { work.append(.owner(owner)) }
            }
        }
        if Self.waitsForCollector(object) { work.append(.owner(key)) }
        return work
    }

    /// Forgets a deleted object: its dependents must be verified, its owners re-checked.
    mutating func remove(_ key: StorageKey, object: JSONValue, resolveOwner: (OwnerRef, StorageKey) -> StorageKey?) -> [Work] {
        var work: [Work] = []
        let old = references[key] ?? []
        set(key, refs: [], old: old)
        for ref in old { if let owner = resolveOwner(ref, key) { work.append(.owner(owner)) } }
        if let uid = object.value(at: ["metadata", "uid"])?.stringValue {
            work += dependents(of: uid).sorted { $0.description < $1.description }.map { .dependent($0) }
        }
        return work
    }

    /// The dependents whose owners, stored in `resource`, have none of `uids`: owners a list of
    /// `resource` does not hold (deleted before the collector followed it, say).
    func dependents(ownedIn resource: String, absentFrom uids: Set<String>, resolveOwner: (OwnerRef, StorageKey) -> StorageKey?) -> [StorageKey] {
        references.compactMap { key, refs in
            refs.contains { !uids.contains($0.uid) && resolveOwner($0, key)?.resource == resource } ? key : nil
        }.sorted { $0.description < $1.description }
    }

    /// The keys of `resource` the graph knows (to find what a relist no longer has).
    func keys(of resource: String) -> [StorageKey] { references.keys.filter { $0.resource == resource } }

    /// True when the object is being deleted and holds a finalizer the collector owns.
    static func waitsForCollector(_ object: JSONValue) -> Bool {
        guard object.value(at: ["metadata", "deletionTimestamp"]) != nil else { return false }
        let finalizers = ObjectLifecycle.finalizers(of: object)
        return finalizers.contains(GarbageCollectionFinalizer.foreground) || finalizers.contains(GarbageCollectionFinalizer.orphan)
    }

    private mutating func set(_ key: StorageKey, refs: [OwnerRef], old: [OwnerRef]) {
        for ref in old {
            dependents[ref.uid]?.remove(key)
            if dependents[ref.uid]?.isEmpty == true { dependents[ref.uid] = nil }
        }
        references[key] = refs.isEmpty ? nil : refs
        for ref in refs { dependents[ref.uid, default: []].insert(key) }
    }
}
