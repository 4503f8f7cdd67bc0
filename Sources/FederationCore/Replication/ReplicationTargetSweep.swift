import FederationAPI
import Foundation

/// A selected source object with what every target's comparison reads of it, read once per pass
/// (a class: every target's sweep passes it around without copying its fields).
final class SourceObject {
    let key: ReplicaKey
    let object: JSONValue
    /// Its `federation.concord.dev/residency` label, if set and not empty.
    let residency: String?
    /// Its resourceVersion.
    let revision: String?
    /// Its labels: a replica in sync holds each with the same value.
    let labels: [(key: String, value: JSONValue)]
    /// Its annotations but Concord's and kubectl's apply record: a replica in sync holds each with the same value.
    let copiedAnnotations: [(key: String, value: JSONValue)]

    init(key: ReplicaKey, object: JSONValue) {
        self.key = key
        self.object = object
        let metadata = object["metadata"]
        let label = metadata?["labels"]?[FederationLabel.residency]?.stringValue
        residency = label?.isEmpty == false ? label : nil
        revision = metadata?["resourceVersion"]?.stringValue
        labels = (metadata?["labels"]?.objectValue ?? [:]).map { ($0.key, $0.value) }
        copiedAnnotations = (metadata?["annotations"]?.objectValue ?? [:]).filter { !ReplicaContent.isDropped(annotation: $0.key) }.map { ($0.key, $0.value) }
    }
}

/// The first read of one target in a pass: every replica is looked up once, the ones in sync are
/// counted and set aside, and the latest HLC reading there is taken on the way (every write of the
/// pass must be stamped later than all of them, so no effect is planned before every target is read).
struct TargetSweep {
    /// Indexes (into the sorted source objects) of those whose replica is missing, blocked or differs.
    var pending: [Int] = []
    /// Source objects whose replica here is in sync (residency allows each).
    var inSync = 0
    /// Source objects with an object of their key here.
    var found = 0
    /// Replica hashes computed for pending objects, by index.
    var replicaHashes: [Int: String] = [:]
    /// Objects here the source lacks, by key.
    var extra: [(key: ReplicaKey, value: JSONValue)] = []
    /// The latest `hlc` reading here.
    var latest = HLCTimestamp.Latest()
}

extension ReplicationPlanner {
    /// Reads `target` once (see ``TargetSweep``); with `memo`, a replica found in sync before (the
    /// same value, the same source object) is counted without being read again, and the verdicts of
    /// this pass are remembered.
    func sweep(
        _ target: ReplicationTargetView, sources: [SourceObject], selected: [ReplicaKey: JSONValue], regionAllowed: Bool, memo: ReplicaSyncMemo.Target? = nil
    ) -> TargetSweep {
        var sweep = TargetSweep()
        for index in sources.indices {
            let source = sources[index]
            guard let replica = target.objects[source.key] else {
                sweep.pending.append(index)
                memo?.verified[index] = nil
                continue
            }
            sweep.found += 1
            let allowed = regionAllowed && (source.residency.map { target.region.hasPrefix($0) } ?? true)
            if allowed, let verified = memo?.verdict(index, source, replica) {
                sweep.latest.add(verified.clock)
                sweep.inSync += 1
                continue
            }
            let metadata = replica.objectValue?["metadata"]?.objectValue
            let annotations = metadata?["annotations"]?.objectValue
            let clock = annotations?[FederationAnnotation.hybridLogicalClock]
            sweep.latest.add(clock)
            var replicaHash: String?
            if allowed, inSync(source, replica, labels: metadata?["labels"], annotations: annotations, replicaHash: &replicaHash) {
                sweep.inSync += 1
                memo?.verified[index] = .init(source: source, replica: replica, clock: clock?.stringValue.flatMap(HLCTimestamp.init(annotation:)))
                continue
            }
            memo?.verified[index] = nil
            sweep.pending.append(index)
            if let replicaHash { sweep.replicaHashes[index] = replicaHash }
        }
        // When every object here matched a source object there are none.
        if sweep.found != target.objects.count {
            sweep.extra = target.objects.filter { selected[$0.key] == nil }.sorted { $0.key < $1.key }
            for (_, object) in sweep.extra { sweep.latest.add(object["metadata"]?["annotations"]?[FederationAnnotation.hybridLogicalClock]) }
        }
        return sweep
    }

    /// True when `replica` (with its `metadata.labels` and `metadata.annotations`) is this rule's copy
    /// of `source` and nothing differs: exactly the case where ``compare(_:source:revision:replica:at:replicaHash:)``
    /// finds nothing to do. `replicaHash` is set once the replica was hashed.
    func inSync(_ source: SourceObject, _ replica: JSONValue, labels: JSONValue?, annotations: [String: JSONValue]?, replicaHash: inout String?) -> Bool {
        guard let stamp = annotations, stamp[FederationAnnotation.rule]?.stringValue == ruleID,
            stamp[FederationAnnotation.sourceRevision]?.stringValue == source.revision,
            stamp[FederationAnnotation.sourceDatacenter]?.stringValue == self.source,
            let recorded = stamp[FederationAnnotation.contentHash]?.stringValue
        else { return false }
        for (key, value) in source.labels where labels?[key] != value { return false }
        for (key, value) in source.copiedAnnotations where stamp[key] != value { return false }
        let computed = hash(replica)
        replicaHash = computed
        return computed == recorded
    }
}
