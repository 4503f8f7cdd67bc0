import Foundation
import KubernetesAPI

/// Where a ServiceFailover stands.
public enum ServiceFailoverPhase: String, Codable, Hashable, Sendable, CaseIterable {
    /// Running in the primary datacenter, standbys in place.
    case active = "Active"
    /// Moving to a failover datacenter after the active one became unhealthy.
    case failingOver = "FailingOver"
    /// Running in a failover datacenter.
    case failedOver = "FailedOver"
    /// A planned move (changed `spec.primary`, or failback) is in progress.
    case migrating = "Migrating"
    /// Running, but below `minReadyReplicas` or without every standby.
    case degraded = "Degraded"
    /// A move is needed but no target fits (capacity, cordon, unreachable); nothing was evicted.
    case blocked = "Blocked"
    /// ActiveActive: the placement is moving (replicas scaling up before others scale down).
    case progressing = "Progressing"
}

/// The part a datacenter plays for one ServiceFailover.
public enum ServiceDatacenterRole: String, Codable, Hashable, Sendable, CaseIterable {
    /// `spec.primary`.
    case primary = "Primary"
    /// One of `spec.failover`.
    case failover = "Failover"
    /// ActiveActive: a datacenter the division divides over (its share may be 0).
    case active = "Active"
}

/// The observed state of a ServiceFailover.
public struct ServiceFailoverStatus: Codable, Hashable, Sendable {
    /// The `metadata.generation` this status was computed from.
    public var observedGeneration: Int64?
    /// The datacenter that serves traffic now (ActivePassive).
    public var activeDatacenter: String?
    /// Where the Service runs now, in one line for `kubectl get`: the active datacenter
    /// (ActivePassive), or each datacenter the division gives replicas and its share, in name order,
    /// such as `eu-central=3,us-east=6,us-west=3` (ActiveActive; absent while it places none).
    public var placement: String?
    /// Active, FailingOver, FailedOver, Migrating, Degraded or Blocked.
    public var phase: ServiceFailoverPhase?
    /// The replicas the workload runs with in `spec.primary`, remembered while Concord keeps it at
    /// 0 there (failed over or migrated away), so a failback restores the user's count.
    public var primaryReplicas: Int?
    /// ActiveActive: replicas no candidate datacenter has room for (reported, never overcommitted).
    public var unplacedReplicas: Int?
    /// The cross-datacenter discovery view: one entry per involved datacenter.
    @DefaultEmpty public var datacenters: [ServiceDatacenterStatus]
    /// The most recent failover, failback or migration.
    public var lastTransition: FailoverTransition?
    /// Recent transitions, newest first, at most ``ServiceFailover/historyLimit``.
    @DefaultEmpty public var history: [FailoverTransition]
    /// Ready, Available, FailedOver and Progressing (plus Reconciling/Stalled).
    @DefaultEmpty public var conditions: [Condition]

    /// Creates a status.
    public init(
        observedGeneration: Int64? = nil, activeDatacenter: String? = nil, placement: String? = nil, phase: ServiceFailoverPhase? = nil,
        primaryReplicas: Int? = nil, unplacedReplicas: Int? = nil, datacenters: [ServiceDatacenterStatus] = [], lastTransition: FailoverTransition? = nil,
        history: [FailoverTransition] = [], conditions: [Condition] = []
    ) {
        self.observedGeneration = observedGeneration
        self.activeDatacenter = activeDatacenter
        self.placement = placement
        self.phase = phase
        self.primaryReplicas = primaryReplicas
        self.unplacedReplicas = unplacedReplicas
        self.datacenters = datacenters
        self.lastTransition = lastTransition
        self.history = history
        self.conditions = conditions
    }
}

/// One datacenter's share of a ServiceFailover: the discovery view.
public struct ServiceDatacenterStatus: Codable, Hashable, Sendable {
    /// The Datacenter's name.
    public var name: String
    /// Primary or Failover; in ActiveActive, Active for a datacenter the division divides over, and
    /// absent for one left out of it (lost, cordoned, not Ready, or back and waiting for failback).
    public var role: ServiceDatacenterRole?
    /// Whether the controller reaches the datacenter.
    public var reachable: Bool?
    /// Replicas Concord wants there now (0 for a warm standby).
    public var desiredReplicas: Int?
    /// Ready replicas last observed there.
    public var readyReplicas: Int?
    /// `address:port` of the ready endpoints there.
    public var endpoints: [String]?

    /// Creates a datacenter entry.
    public init(
        name: String, role: ServiceDatacenterRole? = nil, reachable: Bool? = nil, desiredReplicas: Int? = nil,
        readyReplicas: Int? = nil, endpoints: [String]? = nil
    ) {
        self.name = name
        self.role = role
        self.reachable = reachable
        self.desiredReplicas = desiredReplicas
        self.readyReplicas = readyReplicas
        self.endpoints = endpoints
    }
}

/// One move of a Service between datacenters.
public struct FailoverTransition: Codable, Hashable, Sendable {
    /// The datacenter it left.
    public var from: String?
    /// The datacenter it moved to.
    public var to: String
    /// Why: DatacenterUnreachable, ReplicasUnavailable, PlannedMigration, Failback…
    public var reason: String
    /// When the move began.
    public var startedAt: KubeTime
    /// When traffic was switched; absent while in progress.
    public var completedAt: KubeTime?
    /// Seconds from start to switch.
    public var durationSeconds: Double?

    /// Creates a transition.
    public init(
        from: String? = nil, to: String, reason: String, startedAt: KubeTime, completedAt: KubeTime? = nil, durationSeconds: Double? = nil
    ) {
        self.from = from
        self.to = to
        self.reason = reason
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.durationSeconds = durationSeconds
    }
}
