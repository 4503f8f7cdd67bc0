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

    /// Its content hash, once a comparison needed it (``hash(by:)``).
    private var contentHash: String?

    /// Its content hash by `hash` (which computes ``ReplicaContent/hash(of:)``), computed once.
    func hash(by hash: (JSONValue) -> String) -> String {
        if let contentHash { return contentHash }
        let computed = hash(object)
        contentHash = computed
        return computed
    }

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

/// One target's reading for a plan: the source objects whose replica is missing, blocked or differs
/// (in key order), the count in sync, the objects the source lacks, and the latest HLC reading there
/// (every write of the pass must be stamped later than all of them, so no effect is planned before
/// every target is read).
struct TargetSweep {
    /// Source objects whose replica is missing, blocked or differs, in key order.
    var pending: [SourceObject] = []
    /// Source objects whose replica here is in sync (residency allows each).
    var inSync = 0
    /// Replica hashes computed for pending objects, by key.
    var replicaHashes: [ReplicaKey: String] = [:]
    /// Objects here the source lacks, in key order.
    var extra: [(key: ReplicaKey, value: JSONValue)] = []
    /// The latest `hlc` reading here.
    var latest = HLCTimestamp.Latest()
}

extension ReplicaSyncMemo {
    /// One target's verdicts on the memo's source slots, and what they add up to.
    final class Target {
        let region: String
        let regionAllowed: Bool
        /// Verdicts by source slot.
        var verdicts: [Verdict] = []
        /// Source objects whose replica here is in sync.
        var inSync = 0
        /// Slots whose replica is missing or not in sync.
        var pending: Set<Int> = []
        /// Objects here the source lacks, by key.
        var extra: [ReplicaKey: JSONValue] = [:]
        /// The latest `hlc` reading seen here.
        var latest = HLCTimestamp.Latest()
        /// A whole read filled the verdicts: fed changes may update them.
        var primed = false

        init(region: String, regionAllowed: Bool) {
            self.region = region
            self.regionAllowed = regionAllowed
        }

        /// Reads every object of `view` (verdicts in sync before are kept when replica and source object are the same).
        func readAll(_ view: ReplicationTargetView, memo: ReplicaSyncMemo, planner: ReplicationPlanner) {
            grow(to: memo.objects.count)
            inSync = 0
            pending = []
            latest = HLCTimestamp.Latest()
            var found = 0
            for slot in memo.objects.indices {
                guard let source = memo.objects[slot] else {
                    verdicts[slot] = .unused
                    continue
                }
                let replica = view.objects[source.key]
                // The replica found in sync before, unchanged: the verdict stands where it is.
                if let verified = stillInSync(source, replica, was: verdicts[slot]) {
                    latest.add(verified.clock)
                    found += 1
                    inSync += 1
                    continue
                }
                let verdict = judge(source, replica, was: verdicts[slot], planner: planner)
                if case .missing = verdict {} else { found += 1 }
                count(verdict, at: slot)
                verdicts[slot] = verdict
            }
            extra = [:]
            // When every object here matched a source object there are none.
            if found != view.objects.count {
                for (key, object) in view.objects where memo.slots[key] == nil { noteExtra(key, object) }
            }
            primed = true
        }

        /// Reads only `keys` of `view` after the source slots `freed` were freed: every other verdict stays.
        func read(_ keys: Set<ReplicaKey>, freed: [Int], _ view: ReplicationTargetView, memo: ReplicaSyncMemo, planner: ReplicationPlanner) {
            grow(to: memo.objects.count)
            for slot in freed {
                uncount(verdicts[slot], at: slot)
                verdicts[slot] = .unused
            }
            for key in keys {
                let object = view.objects[key]
                guard let slot = memo.slots[key], let source = memo.objects[slot] else {
                    if let object { noteExtra(key, object) } else { extra[key] = nil }
                    continue
                }
                extra[key] = nil
                let old = verdicts[slot]
                uncount(old, at: slot)
                let verdict = judge(source, object, was: old, planner: planner)
                count(verdict, at: slot)
                verdicts[slot] = verdict
            }
        }

        /// What this pass plans from: the pending objects and the extra ones in key order.
        func sweep(memo: ReplicaSyncMemo) -> TargetSweep {
            var sweep = TargetSweep(inSync: inSync, latest: latest)
            sweep.pending = pending.compactMap { memo.objects[$0] }.sorted { $0.key < $1.key }
            for slot in pending { if case .differs(let hash?) = verdicts[slot], let source = memo.objects[slot] { sweep.replicaHashes[source.key] = hash } }
            sweep.extra = extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return sweep
        }

        private func grow(to count: Int) {
            if verdicts.count < count { verdicts.append(contentsOf: repeatElement(.unused, count: count - verdicts.count)) }
        }

        private func noteExtra(_ key: ReplicaKey, _ object: JSONValue) {
            extra[key] = object
            latest.add(object["metadata"]?["annotations"]?[FederationAnnotation.hybridLogicalClock])
        }

        private func count(_ verdict: Verdict, at slot: Int) {
            switch verdict {
            case .unused: break
            case .missing, .differs: pending.insert(slot)
            case .inSync: inSync += 1
            }
        }

        private func uncount(_ verdict: Verdict, at slot: Int) {
            switch verdict {
            case .unused: break
            case .missing, .differs: pending.remove(slot)
            case .inSync: inSync -= 1
            }
        }

        /// True when residency lets `source` into this target.
        private func allowed(_ source: SourceObject) -> Bool {
            regionAllowed && (source.residency.map { region.hasPrefix($0) } ?? true)
        }

        /// The kept verdict `old` when it found this very `replica` in sync with this very `source`
        /// (the same storage: neither changed since) and residency still lets it in.
        private func stillInSync(_ source: SourceObject, _ replica: JSONValue?, was old: Verdict) -> Verified? {
            guard let replica, case .inSync(let verified) = old, verified.source === source, verified.replica == replica, allowed(source) else { return nil }
            return verified
        }

        /// The verdict on `replica` of `source` (`old`: the verdict before, reused when it still holds),
        /// taking its `hlc` reading on the way.
        private func judge(_ source: SourceObject, _ replica: JSONValue?, was old: Verdict, planner: ReplicationPlanner) -> Verdict {
            if let verified = stillInSync(source, replica, was: old) {
                latest.add(verified.clock)
                return old
            }
            guard let replica else { return .missing }
            let allowed = allowed(source)
            let metadata = replica.objectValue?["metadata"]?.objectValue
            let annotations = metadata?["annotations"]?.objectValue
            let clock = annotations?[FederationAnnotation.hybridLogicalClock]
            latest.add(clock)
            var replicaHash: String?
            if allowed, planner.inSync(source, replica, labels: metadata?["labels"], annotations: annotations, replicaHash: &replicaHash) {
                return .inSync(Verified(source: source, replica: replica, clock: clock?.stringValue.flatMap(HLCTimestamp.init(annotation:))))
            }
            return .differs(replicaHash)
        }
    }
}

extension ReplicationPlanner {
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
        // A replica holding the source's very content hashes as the source does: the source is
        // hashed once for every target instead of each replica.
        let computed = ReplicaContent.sameContent(replica, source.object) ? source.hash(by: hash) : hash(replica)
        replicaHash = computed
        return computed == recorded
    }
}
