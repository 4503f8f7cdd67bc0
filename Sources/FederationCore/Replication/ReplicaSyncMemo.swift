import FederationAPI
import Foundation

/// Remembers, between passes of one rule, the selected source objects and each target's verdict on
/// each of them, so a pass re-reads only what changed.
///
/// Whether a replica is in sync depends only on the source object, the replica, the rule and the
/// source datacenter:
/// - a pass without ``ReplicationChanges`` reads every replica, but compares one equal to the value
///   found in sync before (`==`, which for an unchanged object held by the same cache is the
///   identity of its storage) with the same source object by that alone;
/// - a pass with them re-reads only the keys listed, and keeps every other verdict (and the count
///   of replicas in sync, found and pending) as the previous pass left it.
///
/// Either way it decides as a pass without the memo would, except for the `hlc` stamped on writes
/// after changes were fed: it is later than every reading the memo saw, which may be later than
/// the targets hold now (a replica holding the latest reading was deleted), and never earlier.
///
/// Source objects live in slots (stable indexes, reused once freed); each target's verdicts are an
/// array by slot. Entries hold the replica values they were made from, so their storage is never
/// reused for another object while remembered. Not thread-safe: one planning pass at a time uses it.
public final class ReplicaSyncMemo {
    /// A replica found in sync with `source`, with its `hlc` reading (a class: a verdict kept from pass
    /// to pass is checked in place, one reference per slot).
    final class Verified {
        let source: SourceObject
        let replica: JSONValue
        let clock: HLCTimestamp?

        init(source: SourceObject, replica: JSONValue, clock: HLCTimestamp?) {
            self.source = source
            self.replica = replica
            self.clock = clock
        }
    }

    /// One target's verdict on one source object.
    enum Verdict {
        /// The slot holds no source object.
        case unused
        /// No object of the key in the target.
        case missing
        /// An object of the key that is not in sync (or residency keeps the source out), with its hash
        /// when the comparison computed it.
        case differs(String?)
        /// A replica in sync.
        case inSync(Verified)
    }

    /// What the verdicts were made for: fed changes are used only while this stays the same.
    struct Basis: Equatable {
        let spec: ReplicationRuleSpec
        let ruleID: String
        let source: String
    }

    /// Slot of each selected key.
    private(set) var slots: [ReplicaKey: Int] = [:]
    /// Source object of each slot (nil: free).
    private(set) var objects: [SourceObject?] = []
    private var free: [Int] = []
    private var targets: [String: Target] = [:]
    private var basis: Basis?

    /// Creates an empty memo.
    public init() {}

    /// Starts a pass for `basis`; true when verdicts kept from the previous pass still apply to fed changes.
    func begin(_ basis: Basis) -> Bool {
        guard basis == self.basis else {
            self.basis = basis
            targets = [:]
            return false
        }
        return true
    }

    /// Brings the slots up to `selected`: only the keys in `changed`, or, when nil, every key; the slots
    /// freed (of keys no longer selected), which a freed slot's verdicts no longer count.
    func updateSources(_ selected: [ReplicaKey: JSONValue], changed: Set<ReplicaKey>?) -> [Int] {
        var freed: [Int] = []
        if let changed {
            for key in changed where selected[key] == nil { if let slot = release(key) { freed.append(slot) } }
            for key in changed { if let object = selected[key] { place(key, object) } }
        } else {
            for (key, object) in selected { place(key, object) }
            // Every selected key has a slot now: any more slots are keys no longer selected.
            if slots.count > selected.count {
                for key in slots.keys.filter({ selected[$0] == nil }) { if let slot = release(key) { freed.append(slot) } }
            }
        }
        return freed
    }

    /// Frees `key`'s slot, if it has one.
    private func release(_ key: ReplicaKey) -> Int? {
        guard let slot = slots.removeValue(forKey: key) else { return nil }
        objects[slot] = nil
        free.append(slot)
        return slot
    }

    /// Puts `object` in `key`'s slot (a free one for a new key), as a new source object unless it is the one there.
    private func place(_ key: ReplicaKey, _ object: JSONValue) {
        if let slot = slots[key] {
            if objects[slot]?.object != object { objects[slot] = SourceObject(key: key, object: object) }
            return
        }
        let slot = free.popLast() ?? objects.count
        if slot == objects.count { objects.append(nil) }
        objects[slot] = SourceObject(key: key, object: object)
        slots[key] = slot
    }

    /// The verdicts of `datacenter`, fresh when its region or whether residency allows it changed.
    func target(_ datacenter: String, region: String, regionAllowed: Bool) -> Target {
        if let target = targets[datacenter], target.region == region, target.regionAllowed == regionAllowed { return target }
        let target = Target(region: region, regionAllowed: regionAllowed)
        targets[datacenter] = target
        return target
    }

    /// Forgets the targets not named in `datacenters` (no longer planned).
    func keep(_ datacenters: [String]) {
        guard targets.count > datacenters.count || !targets.keys.allSatisfy(datacenters.contains) else { return }
        let planned = Set(datacenters)
        targets = targets.filter { planned.contains($0.key) }
    }

    /// Replicas remembered in sync, over all targets.
    public var count: Int { targets.values.reduce(0) { $0 + $1.inSync } }
}
