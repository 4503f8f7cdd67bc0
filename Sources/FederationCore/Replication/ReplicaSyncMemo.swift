import FederationAPI
import Foundation

/// Remembers, between passes of one rule, which replica values a pass found in sync with which
/// source objects, so the next pass compares each replica with the value found in sync before
/// instead of reading its annotations, labels and content again.
///
/// Whether a replica is in sync depends only on the source object, the replica, the rule and the
/// source datacenter: a pass that finds the replica equal to the remembered value (`==`, which
/// for an unchanged object held by the same cache is the identity of its storage) and the same
/// source object decides as the full comparison would. A changed replica or source object gets the
/// full comparison. Entries hold the replica values they were made from, so their storage is never
/// reused for another object while remembered.
///
/// Also keeps the pass's source objects in key order, reused while the selected keys stay the same.
/// Not thread-safe: one planning pass at a time uses it.
public final class ReplicaSyncMemo {
    /// A replica found in sync with `source`, with its `hlc` reading.
    struct Verified {
        let source: SourceObject
        let replica: JSONValue
        let clock: HLCTimestamp?
    }

    /// One target's verdicts, by index into ``keys``, for one rule and source datacenter.
    final class Target {
        let rule: String, source: String
        var verified: [Verified?]

        init(rule: String, source: String, count: Int) {
            self.rule = rule
            self.source = source
            verified = Array(repeating: nil, count: count)
        }

        /// The verdict for `replica` of `source` at `index`, if the remembered one still holds.
        func verdict(_ index: Int, _ source: SourceObject, _ replica: JSONValue) -> Verified? {
            guard let verified = verified[index], verified.source === source, verified.replica == replica else { return nil }
            return verified
        }
    }

    /// The selected keys of the latest pass, sorted.
    private(set) var keys: [ReplicaKey] = []
    private var objects: [SourceObject] = []
    private var targets: [String: Target] = [:]

    /// Creates an empty memo.
    public init() {}

    /// The selected source objects in key order: the remembered objects for those unchanged when
    /// the keys are the same as the latest pass's, else sorted anew (remembered verdicts follow their keys).
    func sourceObjects(_ selected: [ReplicaKey: JSONValue]) -> [SourceObject] {
        if keys.count == selected.count {
            var reused: [SourceObject] = []
            reused.reserveCapacity(keys.count)
            for (index, key) in keys.enumerated() {
                guard let object = selected[key] else { break }
                reused.append(objects[index].object == object ? objects[index] : SourceObject(key: key, object: object))
            }
            // Every key found: the same keys as the latest pass, each object in its place.
            if reused.count == keys.count {
                objects = reused
                return reused
            }
        }
        let sorted = selected.sorted { $0.key < $1.key }
        let old = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        let mapping = sorted.map { old[$0.key] }
        objects = zip(sorted, mapping).map { entry, index in
            if let index, objects[index].object == entry.value { return objects[index] }
            return SourceObject(key: entry.key, object: entry.value)
        }
        for target in targets.values { target.verified = mapping.map { $0.flatMap { target.verified[$0] } } }
        keys = sorted.map(\.key)
        return objects
    }

    /// The verdicts of `datacenter` for `rule` from `source` (none remembered when either changed).
    func target(_ datacenter: String, rule: String, source: String) -> Target {
        if let target = targets[datacenter], target.rule == rule, target.source == source, target.verified.count == keys.count { return target }
        let target = Target(rule: rule, source: source, count: keys.count)
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
    public var count: Int { targets.values.reduce(0) { $0 + $1.verified.count { $0 != nil } } }
}
