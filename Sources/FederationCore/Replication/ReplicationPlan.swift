import FederationAPI
import Foundation

/// One replicated object, by kind and name, within the rule's namespace.
public struct ReplicaKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The object's apiVersion.
    public var apiVersion: String
    /// The object's kind.
    public var kind: String
    /// The object's name.
    public var name: String

    /// Creates a key.
    public init(apiVersion: String, kind: String, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }

    /// Hashes the name alone: keys in one plan share a few kinds, so the name is what tells them apart,
    /// and the planner looks keys up millions of times in a full pass (equal keys have equal names).
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// Kind, then name, then apiVersion.
    public static func < (a: ReplicaKey, b: ReplicaKey) -> Bool { (a.kind, a.name, a.apiVersion) < (b.kind, b.name, b.apiVersion) }

    /// `Kind/name`.
    public var description: String { "\(kind)/\(name)" }
}

/// What a planning pass knows of one target datacenter.
public struct ReplicationTargetView: Hashable, Sendable {
    /// The target Datacenter.
    public var datacenter: String
    /// Its `spec.region`.
    public var region: String
    /// Every object of the rule's kinds in the rule's namespace there, replicas or not.
    public var objects: [ReplicaKey: JSONValue]

    /// Creates a view.
    public init(datacenter: String, region: String, objects: [ReplicaKey: JSONValue]) {
        self.datacenter = datacenter
        self.region = region
        self.objects = objects
    }
}

/// A replica write: the whole desired object, applied with field manager `concord`.
public struct ReplicaWrite: Hashable, Sendable {
    /// Which object.
    public var key: ReplicaKey
    /// The object to apply: the source's content, labels and annotations, plus Concord's stamp.
    public var object: JSONValue
    /// When the source object was last written (for lag), if known.
    public var sourceWrittenAt: Date?
    /// Also remove the `resolution` annotation a person set (Manual conflicts).
    public var clearResolution: Bool
    /// For an update, the `resourceVersion` of the replica the plan was made from: the write is applied
    /// only over that version, so a change made in the member since the pass read it is never overwritten unseen.
    public var expectedResourceVersion: String?

    /// Creates a write.
    public init(key: ReplicaKey, object: JSONValue, sourceWrittenAt: Date?, clearResolution: Bool, expectedResourceVersion: String? = nil) {
        self.key = key
        self.object = object
        self.sourceWrittenAt = sourceWrittenAt
        self.clearResolution = clearResolution
        self.expectedResourceVersion = expectedResourceVersion
    }
}

/// Keeping a replica's local content: only its stamp changes (a merge patch of annotations).
public struct ReplicaAdoption: Hashable, Sendable {
    /// Which object.
    public var key: ReplicaKey
    /// The new `content-hash` (the replica's own) and `hlc` (and, for a replica of a single source,
    /// the source's current `source-revision`, `source-datacenter` and `epoch`); the `resolution`
    /// annotation is removed.
    public var annotations: [String: String]
}

/// How a conflict ends under the rule's strategy.
public enum ConflictOutcome: String, Hashable, Sendable {
    /// SourceWins, LastWriterWins with the source later, or a person's KeepSource: the replica is restored.
    case restored = "Restored"
    /// TargetWins, LastWriterWins with the replica later, or a person's KeepTarget: the local change stays.
    case keptTarget = "KeptTarget"
    /// Manual: nothing is written until a person resolves it.
    case awaitingPerson = "AwaitingPerson"
}

/// A replica that changed in its own datacenter since Concord last wrote it.
public struct ConflictFinding: Hashable, Sendable {
    /// The datacenter holding the diverging copy.
    public var datacenter: String
    /// Which object.
    public var key: ReplicaKey
    /// The rule's strategy.
    public var strategy: ConflictResolution
    /// What the strategy does about it.
    public var outcome: ConflictOutcome
    /// The hash Concord recorded (nil: the object was never written by this rule).
    public var recordedHash: String?
    /// The replica's hash now.
    public var replicaHash: String
    /// Whether the source changed too (LastWriterWins then orders the two by HLC).
    public var sourceChanged: Bool
    /// A replica deleted in its datacenter that its strategy keeps deleted: not in sync there.
    public var keptDeleted: Bool { deletedInTarget && outcome == .keptTarget }
    /// The other ReplicationRule (`namespace/name`) that wrote this object, if another rule did.
    public var otherRule: String?
    /// The object exists only in this datacenter: the source lacks it and no rule wrote it.
    public var onlyInTarget: Bool
    /// The object is missing in this datacenter, which the source's copy came from: it was deleted
    /// there (a deletion a former primary accepted before it was fenced, or, see ``orphanedAt``, one
    /// whose copies `deletion: Orphan` kept).
    public var deletedInTarget: Bool
    /// With ``deletedInTarget`` under `deletion: Orphan`: the source, which holds one of the copies
    /// Orphan kept of the deleted object and, promoted since, replicates it as its own.
    public var orphanedAt: String?
    /// Mesh: the HLC reading of the other member's later write that overrides this copy.
    public var laterWrite: String?
    /// Mesh, Manual: this copy holds the latest write, and this is the HLC reading of another member's
    /// change made without seeing it (on an older copy); the person chooses between the two.
    public var unseenBy: String?
    /// The replica's resourceVersion, when the pass read one: what a Secret's message names instead
    /// of its content hashes.
    public var replicaRevision: String?
    /// Why the write applying `outcome` (a restore, an adoption) failed or did not run, once the pass
    /// ran it: the message then says so instead of the outcome, and the next pass tries again.
    public var writeFailure: String?
    /// The write applying `outcome` was still running when the pass stopped waiting for its target (a
    /// slow or frozen member): the message says so instead of the outcome, and the next pass looks again.
    public var writePending = false

    /// Creates a finding.
    public init(
        datacenter: String, key: ReplicaKey, strategy: ConflictResolution, outcome: ConflictOutcome, recordedHash: String?, replicaHash: String,
        sourceChanged: Bool, otherRule: String? = nil, onlyInTarget: Bool = false, deletedInTarget: Bool = false, laterWrite: String? = nil
    ) {
        self.laterWrite = laterWrite
        self.otherRule = otherRule
        self.onlyInTarget = onlyInTarget
        self.deletedInTarget = deletedInTarget
        self.datacenter = datacenter
        self.key = key
        self.strategy = strategy
        self.outcome = outcome
        self.recordedHash = recordedHash
        self.replicaHash = replicaHash
        self.sourceChanged = sourceChanged
    }

    /// One line for status and events; it names the object as `Kind/name` (``ReplicaKey/description``), as every replication event does.
    public var message: String {
        if let laterWrite {
            let change = deletedInTarget ? "was deleted in \(datacenter), which wrote it," : "was changed in \(datacenter)"
            let result = outcome == .restored ? (deletedInTarget ? "re-created" : "overwritten") : outcome == .keptTarget ? "kept as \(datacenter) has it" : outcome.rawValue
            return said("\(key) \(change) while another member wrote it too (the later write by hybrid logical clock: \(laterWrite))", result)
        }
        if let unseenBy {
            let other = HLCTimestamp(annotation: unseenBy)?.datacenter ?? "another member"
            return said("\(key) in \(datacenter) holds the latest write, which the change in \(other) (hybrid logical clock \(unseenBy)) was made without seeing", outcome.rawValue)
        }
        if onlyInTarget {
            return "\(key) exists in \(datacenter) but not at the source, and no rule wrote it (a write the member accepted on its own, such as before it was fenced); it is kept and never copied."
        }
        if deletedInTarget {
            let why = orphanedAt.map {
                "; `deletion: Orphan` kept the copies of the deleted object, and \($0), which holds one, is the source now and replicates it as its own"
            } ?? " (a deletion made there after the copy, such as one a former primary accepted before it was fenced)"
            return said("\(key) was deleted in \(datacenter), where the source's copy came from\(why)",
                        outcome == .restored ? "re-created" : outcome == .keptTarget ? "kept deleted" : outcome.rawValue)
        }
        if let otherRule {
            return "\(key) in \(datacenter) is replicated by rule \(otherRule); two rules must not select one object. Nothing is written."
        }
        if key.kind == "Secret", key.apiVersion == "v1" {
            // A Secret's content hash is an unkeyed 64-bit hash of its data: anyone who may read this
            // status could test guesses of the data against it, so it is never shown.
            let what = recordedHash == nil ? "was not written by this rule" : "differs from what Concord wrote"
            return said("\(key) in \(datacenter)\(replicaRevision.map { " (resourceVersion \($0))" } ?? "") \(what)", outcome.rawValue)
        }
        // The replica's resourceVersion tells one edit from the next: the same edit made again after
        // a restore is a conflict of its own (listed and counted), one found again unchanged is not.
        let recorded = recordedHash.map { ", not \($0) as written by Concord" } ?? " and was not written by this rule"
        let version = replicaRevision.map { " (resourceVersion \($0))" } ?? ""
        return said("\(key) in \(datacenter)\(version) has content hash \(replicaHash)\(recorded)", outcome.rawValue)
    }

    /// `what; Strategy: result.`, or, when the write applying the outcome failed, that it failed and
    /// why, or, while it still runs, that it does.
    func said(_ what: String, _ result: String) -> String {
        let write = outcome == .restored ? (deletedInTarget ? "re-creating it" : "restoring it") : "keeping it"
        if let writeFailure { return "\(what); \(strategy.rawValue): \(write) failed (\(writeFailure))\(Self.retried)" }
        if writePending { return "\(what); \(strategy.rawValue): \(write) was still running when the pass stopped waiting for \(datacenter)\(Self.looksAgain)" }
        return "\(what); \(strategy.rawValue): \(result)."
    }

    /// How the message of a failed write ends (``ConflictLedger`` recognises an unfinished one by it).
    static let retried = "; retried on the next pass."
    /// How the message of a write still running ends.
    static let looksAgain = "; the next pass looks again."
}

/// One effect of a replication plan on one target, in the order they must run.
public enum ReplicationEffect: Hashable, Sendable {
    /// A replica lies outside its allowed regions: delete it first (it must never stay there).
    case deleteOutsideResidency(ReplicaKey)
    /// Residency forbids this object in this target: nothing is written.
    case blocked(ReplicaKey)
    /// A conflict was found; what happens follows in the write effects.
    case conflict(ConflictFinding)
    /// The replica does not exist: apply it.
    case create(ReplicaWrite)
    /// The replica differs from the source (or is restored): apply it.
    case update(ReplicaWrite)
    /// Keep the replica's local content and restamp it.
    case adopt(ReplicaAdoption)
    /// The source object is gone (deletion Propagate): delete the replica.
    case delete(ReplicaKey)
    /// The rule is deleted and this object existed before the rule stamped it (`adopted`): remove
    /// Concord's stamp, keep the object.
    case release(ReplicaKey)
}

extension ReplicationEffect {
    /// The object a write effect writes (nil for `blocked` and `conflict`, which write nothing).
    public var key: ReplicaKey? {
        switch self {
        case .deleteOutsideResidency(let key), .delete(let key), .release(let key): key
        case .create(let write), .update(let write): write.key
        case .adopt(let adoption): adoption.key
        case .blocked, .conflict: nil
        }
    }
}

/// The plan for one target datacenter.
public struct TargetPlan: Hashable, Sendable {
    /// The target Datacenter.
    public var datacenter: String
    /// False when the rule's residency excludes the target's region.
    public var regionAllowed: Bool
    /// Source objects residency allows here.
    public var allowedObjects: Int
    /// Allowed objects whose replica already matches the source (no write planned).
    public var inSync: Int
    /// The effects, in order.
    public var effects: [ReplicationEffect]
    /// Source objects missing here whose create was left for a later pass (the plan's bound on
    /// creates per target): not in sync yet.
    public var deferredCreates = 0

    /// The conflicts found.
    public var conflicts: [ConflictFinding] { effects.compactMap { if case .conflict(let c) = $0 { c } else { nil } } }
    /// The objects residency kept out.
    public var blocked: [ReplicaKey] { effects.compactMap { if case .blocked(let k) = $0 { k } else { nil } } }
    /// The effects that write to the member.
    public var writes: [ReplicationEffect] {
        effects.filter { switch $0 { case .blocked, .conflict: false; default: true } }
    }
}

/// What one replication pass does, per target, as a value.
public struct ReplicationPlan: Hashable, Sendable {
    /// The source datacenter read.
    public var source: String
    /// The epoch stamped on writes.
    public var epoch: Int64
    /// Source objects selected.
    public var objects: Int
    /// Per target, by name.
    public var targets: [TargetPlan]
    /// The latest HLC reading stamped or seen.
    public var clock: HLCTimestamp?

    /// Creates left for a later pass, over every target.
    public var deferredCreates: Int { targets.reduce(0) { $0 + $1.deferredCreates } }
}
