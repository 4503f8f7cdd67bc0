import FederationAPI
import Foundation

/// Deliberately broken rules and a deliberately broken executor, to show that the simulation's
/// invariants catch real mistakes (`concord simulate --inject-bug NAME`, and the simulation tests).
public enum InjectedBug: String, CaseIterable, Hashable, Sendable {
    /// Promotions reuse the epoch in force instead of raising it. The markers then contradict the
    /// policy and a split brain is reported.
    case reuseEpoch = "reuse-epoch"
    /// No fencing token at all: the epoch is reused and every differing marker is overwritten, so
    /// an old primary behind a partition and the new one act as primary in one epoch.
    case noFencingToken = "no-fencing-token"
    /// Promotions ignore `requireQuorum`: the hub promotes as if it reached every member.
    case ignoreQuorum = "ignore-quorum"
    /// Fencing demotes the former primary before the new one holds the epoch, leaving a moment
    /// without any primary.
    case demoteFirst = "demote-first"
    /// The executor (not the plan) is broken: it writes the markers before the policy status, so
    /// a write that fails midway leaves members holding an epoch the policy never raised.
    case markersBeforeStatus = "markers-before-status"
    /// A ServiceFailover planner that switches traffic to a move's target before its replicas are ready.
    case switchBeforeReady = "switch-before-ready"
    /// A ServiceFailover planner whose fit check ignores cordons and capacity, so it evicts the
    /// service onto a datacenter that does not fit.
    case evictWithoutFit = "evict-without-fit"
    /// A ServiceFailover planner that fails back as soon as the primary is Ready, without waiting
    /// out `stabilizationSeconds`.
    case earlyFailback = "early-failback"
    /// A ServiceFailover planner that fails over again whenever a datacenter earlier in the failover
    /// list is back, although the one serving is healthy.
    case preferEarlierTarget = "prefer-earlier-target"
    /// A ServiceFailover executor that scales the old site to 0 before switching traffic.
    case scaleDownBeforeSwitch = "scale-down-before-switch"
    /// An ActiveActive planner that divides without capacity and `maxReplicasPerDatacenter`, so it
    /// places more replicas in a datacenter than it has room for.
    case overcommitCapacity = "overcommit-capacity"
    /// An ActiveActive planner that scales the datacenters losing replicas down in the same pass
    /// the others scale up, before their replacements are ready (break-before-make).
    case scaleDownFirst = "scale-down-first"
    /// An ActiveActive planner that gives a returning datacenter its share as soon as it is Ready,
    /// without waiting out `stabilizationSeconds`.
    case earlyRebalance = "early-rebalance"

    /// The broken rules (the real ones except where the bug is).
    public var rules: SimulationRules {
        switch self {
        case .reuseEpoch: SimulationRules(promotion: Self.reusingTheEpoch)
        case .noFencingToken: SimulationRules(promotion: Self.reusingTheEpoch, fencing: Self.overwritingEveryMarker)
        case .ignoreQuorum:
            SimulationRules(promotion: { inputs in
                var inputs = inputs
                inputs.quorum = QuorumView(members: inputs.quorum.members, reachable: inputs.quorum.members)
                return planPromotion(inputs)
            })
        case .demoteFirst:
            SimulationRules(fencing: { policy, primary, epoch, markers in
                let plan = Fencing.plan(policy: policy, primary: primary, epoch: epoch, markers: markers)
                return FencingPlan(writes: plan.writes.filter { $0.datacenter != primary } + plan.writes.filter { $0.datacenter == primary })
            })
        case .markersBeforeStatus:
            SimulationRules(execution: ExecutionRule(order: { effects in
                effects.filter { if case .writeStatus = $0 { false } else { true } } + effects.filter { if case .writeStatus = $0 { true } else { false } }
            }))
        case .switchBeforeReady: SimulationRules(service: ServiceBugs.switchingBeforeReady)
        case .evictWithoutFit: SimulationRules(service: ServiceBugs.evictingWithoutFit)
        case .earlyFailback: SimulationRules(service: ServiceBugs.failingBackEarly)
        case .preferEarlierTarget: SimulationRules(service: ServiceBugs.preferringEarlierTargets)
        case .scaleDownBeforeSwitch: SimulationRules(serviceExecution: ServiceBugs.scalingDownBeforeSwitching)
        case .overcommitCapacity: SimulationRules(activeActive: ActiveActiveBugs.overcommitting)
        case .scaleDownFirst: SimulationRules(activeActive: ActiveActiveBugs.scalingDownFirst)
        case .earlyRebalance: SimulationRules(activeActive: ActiveActiveBugs.rebalancingEarly)
        }
    }

    /// Which part the bug breaks: the promotion rule, the fencing rule, or the executor that runs the plans.
    public var brokenPart: String {
        switch self {
        case .reuseEpoch, .ignoreQuorum: "promotion rule"
        case .noFencingToken: "promotion and fencing rules"
        case .demoteFirst: "fencing rule"
        case .markersBeforeStatus: "executor"
        case .switchBeforeReady, .evictWithoutFit, .earlyFailback, .preferEarlierTarget: "service planner"
        case .scaleDownBeforeSwitch: "service executor"
        case .overcommitCapacity, .scaleDownFirst, .earlyRebalance: "ActiveActive planner"
        }
    }

    /// The invariant that catches the bug first.
    public var caughtAs: Invariant {
        switch self {
        case .reuseEpoch: .noSplitBrain
        case .noFencingToken: .onePrimaryPerEpoch
        case .ignoreQuorum: .quorumForPromotion
        case .demoteFirst: .noGapWithoutFaults
        case .markersBeforeStatus: .noSplitBrain
        case .switchBeforeReady, .scaleDownBeforeSwitch: .trafficOnReadyReplicas
        case .evictWithoutFit: .noEvictionWithoutFit
        case .earlyFailback: .noEarlyFailback
        case .preferEarlierTarget: .oneTransitionPerIncident
        case .overcommitCapacity: .placementWithinCapacity
        case .scaleDownFirst: .makeBeforeBreak
        case .earlyRebalance: .noEarlyFailback
        }
    }

    static let reusingTheEpoch: PromotionRule = { inputs in
        switch planPromotion(inputs) {
        case .promote(let from, let to, let epoch, let reason): .promote(from: from, to: to, epoch: max(1, epoch - 1), reason: reason)
        case .handover(let from, let to, let epoch, let reason): .handover(from: from, to: to, epoch: epoch - 1, reason: reason)
        case let other: other
        }
    }

    static let overwritingEveryMarker: FencingRule = { policy, primary, epoch, markers in
        let target = FencingMarker(policy: policy, primary: primary, epoch: epoch)
        let ordered = markers.filter { $0.marker != target }.sorted {
            ($0.datacenter == primary ? 0 : 1, $0.datacenter) < ($1.datacenter == primary ? 0 : 1, $1.datacenter)
        }
        return FencingPlan(
            writes: ordered.map {
                MarkerWrite(
                    datacenter: $0.datacenter, marker: target,
                    precondition: $0.resourceVersion.map(MarkerPrecondition.resourceVersion) ?? .mustNotExist,
                    role: Fencing.role(of: $0.datacenter, primary: primary))
            })
    }
}
