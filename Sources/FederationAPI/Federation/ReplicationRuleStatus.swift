import Foundation
import KubernetesAPI

/// The observed state of a ReplicationRule.
public struct ReplicationRuleStatus: Codable, Hashable, Sendable {
    /// The `metadata.generation` this status was computed from.
    public var observedGeneration: Int64?
    /// The datacenter objects are read from now (resolves `Primary`).
    public var sourceDatacenter: String?
    /// The fencing epoch in force at the source when it was read.
    public var sourceEpoch: Int64?
    /// The source's `resourceVersion` the latest round read at.
    public var sourceRevision: String?
    /// Objects selected at the source.
    public var objects: Int?
    /// Progress per target datacenter.
    @DefaultEmpty public var targets: [ReplicationTargetStatus]
    /// Conflicts, newest first, at most ``ReplicationRule/conflictLimit``: those waiting for a person
    /// (Manual) and the latest ones resolved by the rule's strategy.
    @DefaultEmpty public var conflicts: [ReplicationConflict]
    /// Every conflict detected since the rule was created, including those no longer listed.
    public var conflictsTotal: Int64?
    /// Ready, Synced, ConflictsDetected and ResidencyBlocked (plus Reconciling/Stalled).
    @DefaultEmpty public var conditions: [Condition]

    /// Creates a status.
    public init(
        observedGeneration: Int64? = nil, sourceDatacenter: String? = nil, sourceEpoch: Int64? = nil, sourceRevision: String? = nil,
        objects: Int? = nil, targets: [ReplicationTargetStatus] = [], conflicts: [ReplicationConflict] = [], conflictsTotal: Int64? = nil,
        conditions: [Condition] = []
    ) {
        self.conflictsTotal = conflictsTotal
        self.observedGeneration = observedGeneration
        self.sourceDatacenter = sourceDatacenter
        self.sourceEpoch = sourceEpoch
        self.sourceRevision = sourceRevision
        self.objects = objects
        self.targets = targets
        self.conflicts = conflicts
        self.conditions = conditions
    }
}

/// How far one target datacenter is.
public enum TargetSyncState: String, Codable, Hashable, Sendable, CaseIterable {
    /// Not written yet.
    case pending = "Pending"
    /// Catching up with the source.
    case syncing = "Syncing"
    /// Holds the source's content as of `syncedRevision`.
    case synced = "Synced"
    /// The target datacenter cannot be reached; it catches up when it returns.
    case unreachable = "Unreachable"
    /// Residency forbids this target for every selected object.
    case blocked = "Blocked"
    /// Writes to the target fail; see `message`.
    case failed = "Failed"
}

/// Replication progress for one target datacenter.
public struct ReplicationTargetStatus: Codable, Hashable, Sendable {
    /// The target Datacenter's name.
    public var datacenter: String
    /// Pending, Syncing, Synced, Unreachable, Blocked or Failed.
    public var state: TargetSyncState?
    /// The source revision the target holds.
    public var syncedRevision: String?
    /// Seconds between a source write and its arrival at this target (latest round).
    public var lagSeconds: Double?
    /// Objects whose replica matches the source.
    public var objectsInSync: Int?
    /// Unresolved conflicts in this target.
    public var conflicts: Int?
    /// When the target last finished a round.
    public var lastSyncTime: KubeTime?
    /// Detail for Failed or Blocked.
    public var message: String?

    /// Creates a target status.
    public init(
        datacenter: String, state: TargetSyncState? = nil, syncedRevision: String? = nil, lagSeconds: Double? = nil,
        objectsInSync: Int? = nil, conflicts: Int? = nil, lastSyncTime: KubeTime? = nil, message: String? = nil
    ) {
        self.datacenter = datacenter
        self.state = state
        self.syncedRevision = syncedRevision
        self.lagSeconds = lagSeconds
        self.objectsInSync = objectsInSync
        self.conflicts = conflicts
        self.lastSyncTime = lastSyncTime
        self.message = message
    }
}

/// One replica that was changed in its own datacenter (or, in Mesh, in two members).
public struct ReplicationConflict: Codable, Hashable, Sendable {
    /// The datacenter holding the diverging copy.
    public var datacenter: String
    /// The object's apiVersion.
    public var apiVersion: String?
    /// The object's kind.
    public var kind: String
    /// The object's name (in the rule's namespace).
    public var name: String
    /// When Concord noticed the conflict.
    public var detectedAt: KubeTime
    /// How it was (or, for Manual, will be) resolved.
    public var resolution: ConflictResolution
    /// Detail, such as the two content hashes.
    public var message: String?

    /// Creates a conflict entry.
    public init(
        datacenter: String, apiVersion: String? = nil, kind: String, name: String, detectedAt: KubeTime,
        resolution: ConflictResolution, message: String? = nil
    ) {
        self.datacenter = datacenter
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.detectedAt = detectedAt
        self.resolution = resolution
        self.message = message
    }
}
