import FederationAPI
import Foundation

/// The state of one Mesh planning pass (see ``planMeshReplication(rule:epoch:members:now:writtenAt:hash:)``).
struct MeshPlanner {
    let rule: ReplicationRule
    let ruleID: String
    let epoch: Int64
    let now: Date
    let writtenAt: [String: [ReplicaKey: Date]]
    let hash: (JSONValue) -> String
    let strategy: ConflictResolution
    let writerClock: MeshWriterClock
    /// The latest reading seen.
    var clock: HLCTimestamp?
    /// The latest reading earlier passes saw: new objects are stamped after it.
    var seen: HLCTimestamp?

    init(rule: ReplicationRule, epoch: Int64, now: Date, writtenAt: [String: [ReplicaKey: Date]], hash: @escaping (JSONValue) -> String, writerClock: @escaping MeshWriterClock) {
        self.writerClock = writerClock
        self.rule = rule
        self.ruleID = rule.ruleAnnotationValue
        self.epoch = epoch
        self.now = now
        self.writtenAt = writtenAt
        self.hash = hash
        self.strategy = rule.spec.effectiveConflictResolution
    }

    func regionAllowed(_ member: ReplicationTargetView) -> Bool { rule.spec.residency?.allows(region: member.region) ?? true }

    /// True when `object` is a copy of the rule's: the rule wrote it, or selects it and no rule wrote it.
    func owned(_ key: ReplicaKey, _ object: JSONValue) -> Bool {
        let owner = object["metadata"]?["annotations"]?[FederationAnnotation.rule]?.stringValue
        return owner == ruleID || (owner == nil && rule.selects(key, object))
    }

    /// Plans `key` in every member.
    mutating func plan(_ key: ReplicaKey, members: [ReplicationTargetView], into plans: inout [MeshTargetPlan]) {
        let copies = read(key, members: members, seen: seen, into: &plans)
        guard !copies.isEmpty else { return }
        for copy in copies where clock.map({ $0 < copy.clock }) ?? true { clock = copy.clock }
        let resolved = copies.filter { $0.stamp.resolution == .keepTarget }
        guard var winner = (resolved.isEmpty ? copies : resolved).max(by: { $0.clock < $1.clock }) else { return }
        if !resolved.isEmpty, let latest = copies.map(\.clock).max() {
            // A person's choice is a write of its own, later than every copy it overrides.
            winner.clock = HLCTimestamp.tick(after: latest, now: now, at: members[winner.member].datacenter)
            winner.changed = true
        }
        let writer = winner.clock.datacenter
        let missing = members.indices.filter { members[$0].objects[key] == nil && regionAllowed(members[$0]) }
        // The writer of the version in force no longer holds it, and nobody changed it since: deleted there.
        if !copies.contains(where: \.changed), let origin = members.firstIndex(where: { $0.datacenter == writer }), missing.contains(origin),
            ReplicationResidency.labelAllows(winner.object, region: members[origin].region)
        {
            guard rule.spec.effectiveDeletion == .propagate else { return }
            for copy in copies { plans[copy.member].deletes.append(.delete(key)) }
            return
        }
        var keep = Set<Int>()
        var findings: [(Int, ConflictFinding)] = []
        let losers = copies.filter { $0.changed && $0.hash != winner.hash }
        let deleters = missing.filter { i in copies.contains { $0.stamp.rule == ruleID && $0.clock.datacenter == members[i].datacenter } }
        for loser in losers {
            findings.append((loser.member, finding(key, at: members[loser.member].datacenter, copy: loser, winner: winner, deleted: false)))
        }
        for i in deleters { findings.append((i, finding(key, at: members[i].datacenter, copy: nil, winner: winner, deleted: true))) }
        let overtaken = overtaken(key, by: winner, among: copies, members: members)
        if !(findings.isEmpty && overtaken.isEmpty), resolved.isEmpty {
            switch strategy {
            case .manual:
                // Nothing is written until a person picks a copy; every changed one is listed.
                for copy in copies where copy.changed && !losers.contains(where: { $0.member == copy.member }) {
                    findings.append((copy.member, finding(key, at: members[copy.member].datacenter, copy: copy, winner: winner, deleted: false)))
                }
                if let unseen = unseen(key, winner: winner, losers: losers, among: copies, members: members) { findings.append(unseen) }
                for (i, f) in findings + overtaken { plans[i].writes.append(.conflict(f)) }
                return
            case .targetWins:
                keep = Set(findings.map(\.0))
            case .lastWriterWins, .sourceWins:
                break
            }
        }
        for (i, f) in findings + overtaken { plans[i].writes.append(.conflict(f)) }
        if !resolved.isEmpty {
            let kept = ConflictFinding(
                datacenter: members[winner.member].datacenter, key: key, strategy: strategy, outcome: .keptTarget, recordedHash: winner.stamp.contentHash,
                replicaHash: winner.hash, sourceChanged: true)
            plans[winner.member].writes.append(.conflict(kept))
        }
        // A change is stamped where it was made before it is copied: a copy elsewhere then always means
        // the writer's copy carries the same reading (or a later change made on top of it).
        if winner.changed, resolved.isEmpty { keep.formUnion(members.indices.filter { $0 != winner.member }) }
        write(key, winner: winner, copies: copies, members: members, skipping: keep, into: &plans)
    }

    /// Every member's copy of `key`; another rule's object, and a copy of the rule outside residency,
    /// are planned here (listed; evicted) and not returned.
    func read(_ key: ReplicaKey, members: [ReplicationTargetView], seen: HLCTimestamp?, into plans: inout [MeshTargetPlan]) -> [MeshCopy] {
        var copies: [MeshCopy] = []
        // A new object no member holds a copy of the rule's of is stamped after `seen` (created again
        // after a deletion, it is later than any copy of the deleted one still away); one beside
        // copies of the rule's is a write concurrent with them, ordered by its own time.
        let floor = members.contains { $0.objects[key].map { ReplicaStamp(of: $0).rule == ruleID } ?? false } ? nil : seen
        for (i, member) in members.enumerated() {
            guard let object = member.objects[key] else { continue }
            let stamp = ReplicaStamp(of: object)
            if let owner = stamp.rule, owner != ruleID {
                if regionAllowed(member), rule.selects(key, object) {
                    plans[i].writes.append(.conflict(ConflictFinding(
                        datacenter: member.datacenter, key: key, strategy: strategy, outcome: .awaitingPerson, recordedHash: nil,
                        replicaHash: hash(object), sourceChanged: false, otherRule: owner)))
                }
                continue
            }
            let ours = stamp.rule == ruleID
            guard ours || rule.selects(key, object) else { continue }
            if ours, !ReplicationResidency.allows(object, rule: rule, region: member.region) {
                plans[i].first.append(.deleteOutsideResidency(key))
                continue
            }
            // A local object in a region the rule excludes is not the rule's to read.
            guard regionAllowed(member) else { continue }
            let contentHash = hash(object)
            let recorded = ours ? stamp.clock : nil
            if let recorded, stamp.contentHash == contentHash {
                copies.append(MeshCopy(member: i, object: object, hash: contentHash, stamp: stamp, changed: false, clock: recorded))
            } else {
                let written = writtenAt[member.datacenter]?[key] ?? now
                let reading = writerClock(ours ? recorded : floor, written, member.datacenter)
                copies.append(MeshCopy(member: i, object: object, hash: contentHash, stamp: stamp, changed: true, clock: reading))
            }
        }
        return copies
    }

    /// The winner's content and stamp in every allowed member but `skipping` (counted as allowed there, not written).
    func write(_ key: ReplicaKey, winner: MeshCopy, copies: [MeshCopy], members: [ReplicationTargetView], skipping keep: Set<Int>, into plans: inout [MeshTargetPlan]) {
        let stamp = stamp(of: winner)
        let sourceWrittenAt = winner.changed ? writtenAt[members[winner.member].datacenter]?[key] : nil
        for (i, member) in members.enumerated() {
            let copy = copies.first { $0.member == i }
            if keep.contains(i) {
                // Not written in this pass (a TargetWins copy kept as its member changed it, or a copy the
                // writer's stamp reaches next pass), yet one of the objects that member is allowed.
                if regionAllowed(member), ReplicationResidency.labelAllows(winner.object, region: member.region), copy != nil || member.objects[key] == nil {
                    plans[i].allowed += 1
                }
                continue
            }
            guard regionAllowed(member) else {
                plans[i].first.append(.blocked(key))
                continue
            }
            guard ReplicationResidency.labelAllows(winner.object, region: member.region) else {
                plans[i].first.append(.blocked(key))
                if copy?.stamp.rule == ruleID { plans[i].first.append(.deleteOutsideResidency(key)) }
                continue
            }
            // An object of that name the rule does not own (not selected here, or evicted above) stays.
            if copy == nil, member.objects[key] != nil { continue }
            plans[i].allowed += 1
            let replica = ReplicaWrite(
                key: key, object: ReplicaContent.replica(of: winner.object, key: key, namespace: rule.metadata.namespace, stamp: stamp),
                sourceWrittenAt: i == winner.member ? nil : sourceWrittenAt, clearResolution: copy?.stamp.resolution != nil)
            guard let copy else {
                plans[i].writes.append(.create(replica))
                continue
            }
            let sameContent = copy.hash == winner.hash
            let metadata = i == winner.member || ReplicaContent.metadataCopied(from: winner.object, to: copy.object)
            if sameContent, metadata, !copy.changed, copy.clock == winner.clock, copy.stamp.resolution == nil {
                plans[i].inSync += 1
            } else if sameContent, metadata {
                plans[i].writes.append(.adopt(ReplicaAdoption(key: key, annotations: stamp)))
            } else {
                var update = replica
                update.expectedResourceVersion = ReplicaContent.resourceVersion(of: copy.object)
                plans[i].writes.append(.update(update))
            }
        }
    }

    /// The annotations every copy of `winner`'s version carries.
    func stamp(of winner: MeshCopy) -> [String: String] {
        let revision = winner.changed ? ReplicaContent.resourceVersion(of: winner.object) : winner.stamp.sourceRevision
        return [
            FederationAnnotation.sourceDatacenter: winner.clock.datacenter, FederationAnnotation.sourceRevision: revision ?? "",
            FederationAnnotation.epoch: String(epoch), FederationAnnotation.contentHash: winner.hash, FederationAnnotation.rule: ruleID,
            FederationAnnotation.hybridLogicalClock: winner.clock.description,
        ]
    }
}
