import FederationAPI
import Foundation

/// One thing the ServiceFailover controller must do in the members, in order.
public enum ServiceEffect: Hashable, Sendable {
    /// Set the workload's replicas in `datacenter`.
    case scale(datacenter: String, replicas: Int)
    /// Point the `<service>-global` Service and EndpointSlices in every reachable member at
    /// `datacenter`'s endpoints.
    case switchTraffic(to: String)
    /// ActiveActive: point the `<service>-global` Service in every reachable member at these
    /// datacenters' endpoints (one EndpointSlice each, with topology hints), and at no others.
    case route(to: [String])
    /// Record an event on the ServiceFailover.
    case event(warning: Bool, reason: String, message: String)
}

/// What `planService` decided: the effects in order, the status to write after them, and when to
/// look again (nil: on the next change).
public struct ServicePlan: Hashable, Sendable {
    /// The effects, executed in order; a failure stops the pass (the next pass plans again from
    /// the persisted status).
    public var effects: [ServiceEffect]
    /// The status to write once the effects succeeded.
    public var status: ServiceFailoverStatus
    /// When to plan again although nothing changed (a timer is running).
    public var requeueAfter: TimeInterval?

    /// Creates a plan.
    public init(effects: [ServiceEffect] = [], status: ServiceFailoverStatus, requeueAfter: TimeInterval? = nil) {
        self.effects = effects
        self.status = status
        self.requeueAfter = requeueAfter
    }
}

/// Everything `planService` reads: the object, and the sites as persisted status shows them.
public struct ServiceInput: Hashable, Sendable {
    /// The ServiceFailover's spec.
    public var spec: ServiceFailoverSpec
    /// Its status as read (nil before the first write).
    public var status: ServiceFailoverStatus?
    /// The Datacenters named by the spec, with the workload's ready replicas in each.
    public var sites: [String: SiteHealth]
    /// The workload's replicas in each member as its spec says (absent: no copy there).
    public var desiredReplicas: [String: Int]
    /// The replicas the service runs with in its primary (the user's count, remembered while the
    /// primary is scaled to 0).
    public var primaryReplicas: Int
    /// A person asked for failback (`concord service failback` or the annotation).
    public var failbackRequested: Bool
    /// When the failback request was made (the annotation's time), when known: a request older than
    /// a rolled-back failback does not start another.
    public var failbackRequestedAt: Date?
    /// The current time.
    public var now: Date
    /// `metadata.generation`: conditions record it, and a rolled-back migration is not retried
    /// until the spec changes.
    public var generation: Int64?

    /// Creates an input.
    public init(
        spec: ServiceFailoverSpec, status: ServiceFailoverStatus?, sites: [String: SiteHealth], desiredReplicas: [String: Int],
        primaryReplicas: Int, failbackRequested: Bool = false, failbackRequestedAt: Date? = nil, now: Date, generation: Int64? = nil
    ) {
        self.failbackRequestedAt = failbackRequestedAt
        self.generation = generation
        self.spec = spec
        self.status = status
        self.sites = sites
        self.desiredReplicas = desiredReplicas
        self.primaryReplicas = primaryReplicas
        self.failbackRequested = failbackRequested
        self.now = now
    }

    /// Where the service runs now: `status.activeDatacenter`, else the primary.
    public var active: String { status?.activeDatacenter ?? spec.primary }

    /// The replicas to run in `datacenter` when it is active.
    public func replicas(in datacenter: String) -> Int {
        if datacenter == spec.primary { return primaryReplicas }
        return spec.failover.first { $0.datacenter == datacenter }?.replicas ?? primaryReplicas
    }

    /// True when the controller reaches `datacenter` (Ready or Suspect).
    public func reachable(_ datacenter: String) -> Bool {
        guard let phase = sites[datacenter]?.phase else { return false }
        return phase == .ready || phase == .suspect
    }
}
