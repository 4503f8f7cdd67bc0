import FederationAPI
import Foundation

/// What the failover decisions know about one datacenter of a ServiceFailover, read from persisted
/// status only (the Datacenter's status and the ServiceFailover's own), so a new leader that
/// reads the same objects reaches the same decision at the same moment.
public struct SiteHealth: Hashable, Sendable {
    /// The Datacenter's name.
    public var name: String
    /// `status.phase` of the Datacenter (Pending when unknown).
    public var phase: DatacenterPhase
    /// When the run of failed probes that is still going on began (`status.unhealthySince`), or nil.
    public var unhealthySince: Date?
    /// Since when the datacenter has been serving without interruption (`Ready` condition's
    /// lastTransitionTime while True), or nil.
    public var readySince: Date?
    /// Ready replicas of the workload there, when known.
    public var readyReplicas: Int?
    /// Since when its ready replicas have been below `minReadyReplicas` without interruption (the
    /// ServiceFailover's `Available=False` lastTransitionTime while this is the active site), or nil.
    public var unavailableSince: Date?
    /// `spec.unschedulable`: a cordoned datacenter is never a failover or migration target.
    public var unschedulable: Bool
    /// `spec.capacity.replicas`: the most federated replicas it may run; nil is unbounded.
    public var capacityReplicas: Int?
    /// The federated replicas Concord has placed there for every other service.
    public var placedReplicas: Int
    /// Whether the workload exists there (natively or as Concord's standby copy): a datacenter
    /// without it cannot be scaled up, so it is not a target.
    public var hasWorkload: Bool = true
    /// Whether the workload's status describes its current spec (`status.observedGeneration` is at
    /// least `metadata.generation`, or the kind reports no observed generation). A copy just scaled
    /// up still shows the ready count of its previous spec until its controller observes the change,
    /// so a move waits for this before it counts the target's replicas as ready.
    public var statusCurrent: Bool = true

    /// Creates a view.
    public init(
        name: String, phase: DatacenterPhase, unhealthySince: Date? = nil, readySince: Date? = nil, readyReplicas: Int? = nil,
        unavailableSince: Date? = nil, unschedulable: Bool = false, capacityReplicas: Int? = nil, placedReplicas: Int = 0
    ) {
        self.name = name
        self.phase = phase
        self.unhealthySince = unhealthySince
        self.readySince = readySince
        self.readyReplicas = readyReplicas
        self.unavailableSince = unavailableSince
        self.unschedulable = unschedulable
        self.capacityReplicas = capacityReplicas
        self.placedReplicas = placedReplicas
    }

    /// Reads the datacenter part from a Datacenter (replica counts and placement are the caller's).
    public init(_ datacenter: Datacenter, readyReplicas: Int? = nil, unavailableSince: Date? = nil, placedReplicas: Int = 0) {
        let view = MemberView(datacenter)
        self.init(
            name: view.name, phase: view.phase, unhealthySince: datacenter.status?.unhealthySince?.date ?? view.unreachableSince,
            readySince: view.readySince, readyReplicas: readyReplicas, unavailableSince: unavailableSince,
            unschedulable: view.unschedulable, capacityReplicas: datacenter.spec.capacity?.replicas, placedReplicas: placedReplicas)
    }

    /// The replicas still free for federated workloads; nil when the capacity is unbounded.
    public var freeReplicas: Int? { capacityReplicas.map { max(0, $0 - placedReplicas) } }
}
