import FederationAPI
import Foundation

extension ReplicationPlanner {
    /// The conflict and the strategy's write:
    /// - SourceWins: restore (update);
    /// - TargetWins: keep the local change, write nothing (it stays listed);
    /// - LastWriterWins: the later write by HLC wins. A replica changed while its source was not is
    ///   the later write: adopt it. When both changed since Concord's copy, both are observed in
    ///   this pass at the same reading and the tie breaks by datacenter name (the greater name wins);
    /// - Manual: nothing, until the replica carries `resolution: KeepSource` (restore) or
    ///   `KeepTarget` (adopt; an object the rule never stamped is stamped as its replica).
    mutating func resolveConflict(_ finding: ConflictFinding, stamp: ReplicaStamp, source object: JSONValue, replica: JSONValue) -> [ReplicationEffect] {
        var finding = finding
        let keepSource: Bool?
        switch finding.strategy {
        case .sourceWins: keepSource = true
        case .targetWins: keepSource = false
        case .lastWriterWins:
            keepSource = sourceIsLater(finding)
        case .manual:
            keepSource = stamp.resolution.map { $0 == .keepSource }
        }
        guard let keepSource else { return [.conflict(finding)] }
        finding.outcome = keepSource ? .restored : .keptTarget
        if keepSource {
            var restore = write(finding.key, object, at: finding.datacenter, over: replica)
            restore.clearResolution = stamp.resolution != nil
            // Restoring content the source wrote long ago is no replication lag.
            if !finding.sourceChanged { restore.sourceWrittenAt = nil }
            return [.conflict(finding), .update(restore)]
        }
        // TargetWins leaves the replica untouched; the others take its content as the new baseline.
        guard finding.strategy != .targetWins else { return [.conflict(finding)] }
        guard stamp.rule == ruleID else {
            // A person kept an object this rule never stamped (a former primary's own): it becomes the
            // rule's replica of its own content, stamped at the source's revision, labels and annotations,
            // so the next pass finds it in sync instead of resolving it again.
            guard finding.strategy == .manual else { return [.conflict(finding)] }
            return [.conflict(finding), .update(keeping(replica, hashed: finding.replicaHash, as: finding.key, over: object, at: finding.datacenter))]
        }
        let reading = stampClock(at: finding.datacenter)
        // The kept content answers the source as it is now: its revision (and source and epoch) are
        // stamped too, so only a later source change is copied over it, not the one it won against.
        return [.conflict(finding), .adopt(ReplicaAdoption(key: finding.key, annotations: [
            FederationAnnotation.contentHash: finding.replicaHash, FederationAnnotation.hybridLogicalClock: reading.description,
            FederationAnnotation.sourceRevision: ReplicaContent.resourceVersion(of: object) ?? "", FederationAnnotation.sourceDatacenter: source,
            FederationAnnotation.epoch: String(epoch),
        ]))]
    }

    /// The write that makes `replica`, which this rule never stamped, its replica of `source` with
    /// the replica's own content: the source's metadata and Concord's stamp, the `resolution`
    /// annotation removed, applied only over the version the pass read. Keeping content is no lag.
    /// `replicaHash` is the replica's content hash, which the stamp records: the object written
    /// carries the source's uid and resourceVersion, under which `hash` remembers the source's content.
    mutating func keeping(_ replica: JSONValue, hashed replicaHash: String, as key: ReplicaKey, over source: JSONValue, at datacenter: String) -> ReplicaWrite {
        var kept = ReplicaContent.content(of: replica).objectValue ?? [:]
        kept["metadata"] = source["metadata"]
        var keep = write(key, .object(kept), at: datacenter, over: replica)
        keep.object.setValue(.string(replicaHash), at: ["metadata", "annotations", FederationAnnotation.contentHash])
        keep.clearResolution = true
        keep.sourceWrittenAt = nil
        return keep
    }

    /// True when a source object missing in `datacenter` is simply created there: its copy did not
    /// come from `datacenter` while that was the source (see ``missing(_:source:at:)``).
    func createsPlainly(_ object: JSONValue, at datacenter: String) -> Bool {
        let stamp = ReplicaStamp(of: object)
        return stamp.rule != ruleID || stamp.sourceDatacenter != datacenter
    }

    /// LastWriterWins: true when the source's write is later than the target's. A target changed
    /// while its source was not is the later write; when both changed since Concord's copy, both are
    /// observed in this pass at the same HLC reading and the tie breaks by datacenter name.
    func sourceIsLater(_ finding: ConflictFinding) -> Bool {
        let observed = HLCTimestamp.tick(after: clock, now: now, at: source)
        let local = HLCTimestamp(wallMilliseconds: observed.wallMilliseconds, counter: observed.counter, datacenter: finding.datacenter)
        return finding.sourceChanged && observed > local
    }

    /// The effects for a source object with no replica in `datacenter`: a create, unless the source's
    /// copy came from `datacenter` itself while it was the source (its `source-datacenter` stamp by
    /// this rule names it). Then that member deleted it — a deletion a former primary accepted before
    /// it was fenced, or, under `deletion: Orphan`, any deletion there: Orphan kept the other copies,
    /// and the source, promoted since, holds one as its own object — and it is a conflict like any
    /// local change: SourceWins re-creates it, TargetWins keeps it deleted, LastWriterWins re-creates
    /// it only when the source changed it since the copy (and wins the tie), Manual lists it until a
    /// person resolves it.
    mutating func missing(_ key: ReplicaKey, source object: JSONValue, at datacenter: String) -> [ReplicationEffect] {
        guard !createsPlainly(object, at: datacenter) else { return [.create(write(key, object, at: datacenter))] }
        let stamp = ReplicaStamp(of: object)
        var finding = ConflictFinding(
            datacenter: datacenter, key: key, strategy: rule.spec.effectiveConflictResolution, outcome: .awaitingPerson,
            recordedHash: stamp.contentHash, replicaHash: "", sourceChanged: stamp.contentHash != hash(object), deletedInTarget: true)
        if rule.spec.effectiveDeletion == .orphan { finding.orphanedAt = source }
        let keepSource: Bool? = switch finding.strategy {
        case .sourceWins: true
        case .targetWins: false
        case .lastWriterWins: sourceIsLater(finding)
        case .manual: nil
        }
        guard let keepSource else { return [.conflict(finding)] }
        finding.outcome = keepSource ? .restored : .keptTarget
        guard keepSource else { return [.conflict(finding)] }
        var restore = write(key, object, at: datacenter)
        if !finding.sourceChanged { restore.sourceWrittenAt = nil }
        return [.conflict(finding), .create(restore)]
    }
}
