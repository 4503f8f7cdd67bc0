import Foundation

/// What the simulated ServiceFailovers did, over one schedule or many.
public struct ServiceCounts: Hashable, Sendable {
    /// ServiceFailovers simulated.
    public var services = 0
    /// Controller passes (one per service per step).
    public var passes = 0
    /// Completed transitions by reason (DatacenterUnreachable, ReplicasUnavailable, Failback, PlannedMigration).
    public var transitions: [String: Int] = [:]
    /// Times a service became Blocked (nothing fits, nothing evicted).
    public var blocked = 0
    /// Times a service became Degraded (a planned move rolled back).
    public var degraded = 0
    /// Effects that failed (a pass stopped there).
    public var failedEffects = 0
    /// Passes whose controller stopped after the effects, before writing the status.
    public var lostStatusWrites = 0
    /// Passes that did not write their status (a failed effect or a lost status write).
    public var stoppedPasses = 0
    /// Failback requests by a person.
    public var failbackRequests = 0
    /// `spec.primary` changes by a person.
    public var primaryChanges = 0
    /// Workloads whose pods failed in a member.
    public var workloadFailures = 0
    /// The longest completed transition, from its start to the traffic switch (seconds of the hub's clock).
    public var longestTransition: TimeInterval = 0
    /// The longest run of steps in which some service's traffic pointed at a datacenter without ready replicas.
    public var longestWithoutReadyTraffic = 0
    /// The longest time (steps) from the heal until every service was settled.
    public var maxSettledAfter: Int?
    /// ActiveActive ServiceFailovers simulated.
    public var activeActive = 0
    /// ActiveActive controller passes (one per service per step).
    public var activeActivePasses = 0
    /// Completed ActiveActive redistributions by reason (DatacenterUnreachable, PlacementChanged, SelectionChanged, DatacenterCordoned, Rebalance, CapacityChanged).
    public var redistributions: [String: Int] = [:]
    /// Times an ActiveActive service became Degraded (replicas without room, or short of minDatacenters).
    public var shortfalls = 0
    /// Rebalance requests by a person.
    public var rebalanceRequests = 0
    /// Changes of an ActiveActive total or weight by a person.
    public var placementChanges = 0
    /// The longest time (steps) from the heal until every ActiveActive service was settled.
    public var activeActiveSettledAfter: Int?

    /// Nothing counted yet.
    public init() {}

    /// Completed transitions in all.
    public var totalTransitions: Int { transitions.values.reduce(0, +) }

    /// Adds another count.
    public mutating func merge(_ other: ServiceCounts) {
        services += other.services
        passes += other.passes
        transitions.merge(other.transitions, uniquingKeysWith: +)
        blocked += other.blocked
        degraded += other.degraded
        failedEffects += other.failedEffects
        lostStatusWrites += other.lostStatusWrites
        stoppedPasses += other.stoppedPasses
        failbackRequests += other.failbackRequests
        primaryChanges += other.primaryChanges
        workloadFailures += other.workloadFailures
        longestTransition = max(longestTransition, other.longestTransition)
        longestWithoutReadyTraffic = max(longestWithoutReadyTraffic, other.longestWithoutReadyTraffic)
        if let settled = other.maxSettledAfter { maxSettledAfter = max(maxSettledAfter ?? 0, settled) }
        activeActive += other.activeActive
        activeActivePasses += other.activeActivePasses
        redistributions.merge(other.redistributions, uniquingKeysWith: +)
        shortfalls += other.shortfalls
        rebalanceRequests += other.rebalanceRequests
        placementChanges += other.placementChanges
        if let settled = other.activeActiveSettledAfter { activeActiveSettledAfter = max(activeActiveSettledAfter ?? 0, settled) }
    }
}
