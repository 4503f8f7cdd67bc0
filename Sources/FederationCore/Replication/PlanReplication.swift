import FederationAPI
import Foundation

/// Plans one replication pass of `rule` from `source` (at fencing `epoch`) into `targets`.
///
/// `sources` are the selected source objects; `sourceWrittenAt` gives when each was last written
/// (for lag). Per target, by object key:
/// - an object residency forbids there is `blocked`, and a replica of this rule found there is
///   deleted first (`deleteOutsideResidency`);
/// - no replica → `create`;
/// - the replica's content hash differs from its `content-hash` stamp (or the object was not written
///   by this rule) → `conflict`, then the strategy's write (see ``resolveConflict``), unless the
///   replica holds the source's content: then nothing diverges, and it is only stamped (`update`);
/// - otherwise, a source written since the copy (another `source-revision` or source datacenter) or
///   labels/annotations missing on the replica → `update`;
/// - an object of the same name no rule wrote, with the source's content → `update` (stamped; a
///   former source's own copy after a promotion), with other content → `conflict`; one another
///   rule wrote → `conflict` awaiting a person, and nothing is written;
/// - an object the rule selects that no rule wrote and the source lacks (a write a former primary
///   accepted before it was fenced) → `conflict`, kept and listed, never copied anywhere;
/// - a replica of this rule whose source is gone → `delete` under Propagate, nothing under Orphan;
///   unless its residency label excludes the source's region (`sourceRegion`): a source there can
///   never hold it, so its absence says nothing. Nothing is ever written from a replica back to the
///   source, so a deleted source object is never resurrected.
///
/// Every write is stamped with `source-datacenter`, `source-revision`, `epoch`, `content-hash`,
/// `rule` and an `hlc` reading later than every reading seen on the targets.
///
/// `hash` computes ``ReplicaContent/hash(of:)``; a caller may pass one that remembers hashes by
/// object uid and resourceVersion (a stored object's content never changes without a new one).
/// `sync`, kept by the caller from one pass of the rule to the next, remembers the source objects
/// and each target's verdicts (see ``ReplicaSyncMemo``); with it, `changes` lists what changed in
/// `sources` and in each target's view since the previous pass, and only those keys are read again.
/// The plan is the same with or without either, but for the `hlc` stamped after fed changes, which
/// may be later (never earlier).
///
/// `liveRules`, when given, names every ReplicationRule that exists (`namespace/name`): an object
/// stamped by a rule no longer there (a deleted `Orphan` rule's copy) is taken as one no rule wrote
/// (adopted when it holds the source's content, a conflict otherwise), never as another rule's.
///
/// `createsPerTarget` bounds the plain creates (a missing replica that is no conflict) planned for
/// one target: the first that many in key order are planned, the rest counted in
/// ``TargetPlan/deferredCreates`` for a later pass (with `sync`, they stay pending there). A bulk
/// copy to a new target is then written, and held in memory, a batch at a time. Conflicts, updates
/// and deletions are never deferred. Nil: no bound (a bound below 1 counts as 1, so every pass
/// makes progress).
public func planReplication(
    rule: ReplicationRule, source: String, sourceRegion: String? = nil, epoch: Int64, sources: [ReplicaKey: JSONValue],
    targets: [ReplicationTargetView], now: Date, sourceWrittenAt: [ReplicaKey: Date] = [:],
    hash: @escaping (JSONValue) -> String = ReplicaContent.hash(of:), sync: ReplicaSyncMemo? = nil, changes: ReplicationChanges? = nil,
    createsPerTarget: Int? = nil, liveRules: Set<String>? = nil
) -> ReplicationPlan {
    var planner = ReplicationPlanner(rule: rule, source: source, epoch: epoch, now: now, sourceWrittenAt: sourceWrittenAt, hash: hash)
    planner.sourceRegion = sourceRegion
    planner.liveRules = liveRules
    planner.createsPerTarget = createsPerTarget
    let memo = sync ?? ReplicaSyncMemo()
    let kept = memo.begin(ReplicaSyncMemo.Basis(spec: rule.spec, ruleID: planner.ruleID, source: source))
    let fed = kept ? changes : nil
    let freed = memo.updateSources(sources, changed: fed?.sources)
    let sortedTargets = targets.sorted { $0.datacenter < $1.datacenter }
    memo.keep(sortedTargets.map(\.datacenter))
    let regionAllowed = sortedTargets.map { rule.spec.residency?.allows(region: $0.region) ?? true }
    let sweeps = sortedTargets.indices.map { t in
        let view = sortedTargets[t]
        let target = memo.target(view.datacenter, region: view.region, regionAllowed: regionAllowed[t])
        if target.primed, let fed, let changed = fed.targets[view.datacenter] {
            target.read(changed.union(fed.sources), freed: freed, view, memo: memo, planner: planner)
        } else {
            target.readAll(view, memo: memo, planner: planner)
        }
        return target.sweep(memo: memo)
    }
    var latest = HLCTimestamp.Latest()
    for sweep in sweeps { latest.add(sweep.latest.reading) }
    planner.clock = latest.reading
    let plans = sortedTargets.indices.map { planner.plan(sortedTargets[$0], sweep: sweeps[$0], regionAllowed: regionAllowed[$0]) }
    return ReplicationPlan(source: source, epoch: epoch, objects: sources.count, targets: plans, clock: planner.clock)
}

/// The state of one planning pass: the rule's settings and the HLC as it advances.
struct ReplicationPlanner {
    let rule: ReplicationRule
    let hash: (JSONValue) -> String
    let source: String
    let epoch: Int64
    let now: Date
    let sourceWrittenAt: [ReplicaKey: Date]
    var sourceRegion: String?
    var clock: HLCTimestamp?
    /// The most plain creates planned per target (nil: no bound).
    var createsPerTarget: Int?
    /// Every ReplicationRule that exists (nil: every stamp counts).
    var liveRules: Set<String>?
    /// The `rule` annotation value of this rule's replicas.
    let ruleID: String

    init(rule: ReplicationRule, source: String, epoch: Int64, now: Date, sourceWrittenAt: [ReplicaKey: Date], hash: @escaping (JSONValue) -> String) {
        self.rule = rule
        self.hash = hash
        self.source = source
        self.epoch = epoch
        self.now = now
        self.sourceWrittenAt = sourceWrittenAt
        self.ruleID = rule.ruleAnnotationValue
    }

    /// The effects for `target`, from its sweep: in-sync objects were counted there, the rest are planned here.
    mutating func plan(_ target: ReplicationTargetView, sweep: TargetSweep, regionAllowed: Bool) -> TargetPlan {
        var first: [ReplicationEffect] = [], writes: [ReplicationEffect] = [], deletes: [ReplicationEffect] = []
        var allowed = sweep.inSync, inSync = sweep.inSync
        var creates = 0, deferred = 0
        for source in sweep.pending {
            let key = source.key, object = source.object
            let replica = target.objects[key]
            guard regionAllowed, source.residency.map({ target.region.hasPrefix($0) }) ?? true else {
                first.append(.blocked(key))
                if let replica, ReplicaStamp(of: replica).rule == ruleID { first.append(.deleteOutsideResidency(key)) }
                continue
            }
            allowed += 1
            guard let replica else {
                let plain = createsPlainly(object, at: target.datacenter)
                if plain, let bound = createsPerTarget, creates >= max(1, bound) {
                    deferred += 1
                    continue
                }
                if plain { creates += 1 }
                writes += missing(key, source: object, at: target.datacenter)
                continue
            }
            let effects = compare(key, source: object, revision: source.revision, replica: replica, at: target.datacenter, replicaHash: sweep.replicaHashes[key])
            if effects.isEmpty { inSync += 1 }
            writes += effects
        }
        // Objects the source lacks.
        for (key, replica) in sweep.extra {
            let owner = stamp(of: replica).rule
            if owner == nil, selects(key, replica) {
                // Written in this member, never at the source (a write a former primary accepted before it
                // was fenced, or a local object the rule selects): listed, never copied, never deleted.
                writes.append(.conflict(ConflictFinding(
                    datacenter: target.datacenter, key: key, strategy: rule.spec.effectiveConflictResolution, outcome: .keptTarget,
                    recordedHash: nil, replicaHash: hash(replica), sourceChanged: false, onlyInTarget: true)))
                continue
            }
            guard owner == ruleID else { continue }
            if !ReplicationResidency.allows(replica, rule: rule, region: target.region) {
                first.append(.deleteOutsideResidency(key))
            } else if rule.spec.effectiveDeletion == .propagate, sourceRegion.map({ ReplicationResidency.labelAllows(replica, region: $0) }) ?? true {
                deletes.append(.delete(key))
            }
        }
        return TargetPlan(
            datacenter: target.datacenter, regionAllowed: regionAllowed,
            allowedObjects: allowed, inSync: inSync, effects: first + writes + deletes, deferredCreates: deferred)
    }

    /// True when one of the rule's resources selects `object` (of `key`'s kind).
    func selects(_ key: ReplicaKey, _ object: JSONValue) -> Bool { rule.selects(key, object) }

    /// The effects for a source object whose replica exists (empty: in sync); `known` is the
    /// replica's hash when already computed.
    mutating func compare(
        _ key: ReplicaKey, source object: JSONValue, revision: String?, replica: JSONValue, at datacenter: String, replicaHash known: String? = nil
    ) -> [ReplicationEffect] {
        let stamp = stamp(of: replica)
        let replicaHash = known ?? hash(replica)
        let sourceChanged = stamp.sourceRevision != revision || stamp.sourceDatacenter != source
        if let owner = stamp.rule, owner != ruleID {
            // Another rule wrote it: two rules must never take turns rewriting one object.
            return [.conflict(ConflictFinding(
                datacenter: datacenter, key: key, strategy: rule.spec.effectiveConflictResolution, outcome: .awaitingPerson,
                recordedHash: nil, replicaHash: replicaHash, sourceChanged: sourceChanged, otherRule: owner))]
        }
        // The replica already holds the source's content: nothing diverges, whatever its stamp says (no
        // stamp: a former source's own copy; a stamp from an earlier epoch: writes it accepted as the
        // source since then, which the current source holds too). It is stamped, never a conflict.
        if stamp.rule == nil || stamp.contentHash != replicaHash, replicaHash == hash(object) {
            return [.update(write(key, object, at: datacenter, over: replica))]
        }
        guard stamp.rule == ruleID, stamp.contentHash == replicaHash else {
            var finding = ConflictFinding(
                datacenter: datacenter, key: key, strategy: rule.spec.effectiveConflictResolution, outcome: .awaitingPerson,
                recordedHash: stamp.rule == ruleID ? stamp.contentHash : nil, replicaHash: replicaHash, sourceChanged: sourceChanged)
            finding.replicaRevision = ReplicaContent.resourceVersion(of: replica)
            return resolveConflict(finding, stamp: stamp, source: object, replica: replica)
        }
        guard sourceChanged || !ReplicaContent.metadataCopied(from: object, to: replica) else { return [] }
        return [.update(write(key, object, at: datacenter, over: replica))]
    }

    /// The replica to apply for `object`, stamped; over `existing` (the version the pass read), when it updates one.
    /// An object that existed before any rule stamped it (no `rule` stamp, or already marked) is marked `adopted`.
    mutating func write(_ key: ReplicaKey, _ object: JSONValue, at datacenter: String, over existing: JSONValue? = nil) -> ReplicaWrite {
        var stamping = [
            FederationAnnotation.sourceDatacenter: source, FederationAnnotation.sourceRevision: ReplicaContent.resourceVersion(of: object) ?? "",
            FederationAnnotation.epoch: String(epoch), FederationAnnotation.contentHash: hash(object), FederationAnnotation.rule: ruleID,
            FederationAnnotation.hybridLogicalClock: stampClock(at: source).description,
        ]
        if let existing, stamp(of: existing).rule == nil || existing["metadata"]?["annotations"]?[FederationAnnotation.adopted] == "true" {
            stamping[FederationAnnotation.adopted] = "true"
        }
        let replica = ReplicaContent.replica(of: object, key: key, namespace: rule.metadata.namespace, stamp: stamping)
        return ReplicaWrite(
            key: key, object: replica, sourceWrittenAt: sourceWrittenAt[key], clearResolution: false,
            expectedResourceVersion: existing.flatMap(ReplicaContent.resourceVersion(of:)))
    }

    /// `object`'s stamp, without its `rule` when that rule no longer exists (see `liveRules`).
    func stamp(of object: JSONValue) -> ReplicaStamp {
        var stamp = ReplicaStamp(of: object)
        if let owner = stamp.rule, owner != ruleID, let liveRules, !liveRules.contains(owner) { stamp.rule = nil }
        return stamp
    }

    /// Advances the HLC for a write stamped by `datacenter`.
    mutating func stampClock(at datacenter: String) -> HLCTimestamp {
        let reading = HLCTimestamp.tick(after: clock, now: now, at: datacenter)
        clock = reading
        return reading
    }
}

extension ReplicationRule {
    /// True when one of the rule's resources selects `object` (of `key`'s kind).
    public func selects(_ key: ReplicaKey, _ object: JSONValue) -> Bool {
        let labels = ReplicaContent.labels(of: object)
        return spec.resources.contains { $0.apiVersion == key.apiVersion && $0.kind == key.kind && $0.matches(name: key.name, labels: labels, namespace: metadata.namespace) }
    }
}
