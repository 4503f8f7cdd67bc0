import FederationAPI
import Foundation

/// A move the controller started: its target, its reason, and why the target did not fit then
/// (nil when it fitted), as the invariants judge fit themselves.
struct MoveStart: Hashable, Sendable {
    var target: String
    var reason: String
    var misfit: String?
}

/// What the service invariants remember about one service.
struct ServiceWatch: Hashable, Sendable {
    /// The move the controller started last.
    var move: MoveStart?
    /// The step traffic arrived where it points now.
    var arrivedAt = 0
    /// The datacenter traffic points at had a fault of its own (its member crashed, was cut off,
    /// delayed or lossy, or the service's pods failed there) since traffic arrived.
    var faultSinceArrival = false
    /// Since when (hub clock) the datacenter traffic points at has had no ready replicas.
    var emptySince: Date?
    var emptySteps = 0
    /// This step's pass: a target other than where traffic is fitted in its view.
    var fitExists = false
    /// This step's pass stopped at a failed effect or before its status write.
    var stopped = false
}

/// Checks the service invariants: at each decision, after each applied effect, and at the end of
/// every step. Fit, health windows and incidents are judged here from the inputs and the ground
/// truth, independently of the decisions under test.
struct ServiceChecker: Sendable {
    let config: SimulationConfig
    var watches: [ServiceWatch]
    /// Per member: since when (hub clock) the hub has seen it up without interruption by
    /// Unreachable (Ready, and through Suspect), or nil while it is not.
    var upSince: [Date?]
    var checks = 0
    var settledAfter: Int?

    typealias Reason = ServiceFailover.Reason
    static let failoverReasons: Set<String> = [Reason.datacenterUnreachable, Reason.replicasUnavailable]
    /// Beyond `unhealthyForSeconds`: the failed probes it takes to see a member Unreachable
    /// (failureThreshold 3 at a 1 s period), and a step for the controller's cache.
    static let detectionSlack: TimeInterval = 5

    init(config: SimulationConfig, services: [SimulatedService], members: Int) {
        self.config = config
        watches = services.map { _ in ServiceWatch() }
        upSince = Array(repeating: nil, count: members)
    }

    /// Follows the hub's view of each member's continuous health.
    mutating func observe(step: Int, now: Date, hub: SimulatedHub) {
        for i in upSince.indices {
            switch hub.statuses[i]?.phase {
            case .ready: upSince[i] = upSince[i] ?? now
            case .suspect: break
            default: upSince[i] = nil
            }
        }
    }

    /// Why `datacenter` is no fitting target for the service in `input`'s view, or nil: it must be
    /// known, not cordoned, Ready, and have room for the replicas it would run.
    static func misfit(_ datacenter: String, in input: ServiceInput) -> String? {
        guard let site = input.sites[datacenter] else { return "\(datacenter) is not a known Datacenter" }
        if site.unschedulable { return "\(datacenter) is cordoned" }
        if site.phase != .ready { return "\(datacenter) is \(site.phase.rawValue)" }
        let wanted = input.replicas(in: datacenter)
        if let capacity = site.capacityReplicas, capacity - site.placedReplicas < wanted {
            return "\(datacenter) has \(max(0, capacity - site.placedReplicas)) of capacity \(capacity) free for \(wanted) replicas"
        }
        return nil
    }

    /// Looks at a pass's decision before it runs: records any move it starts and whether its target
    /// fits, and checks that a failback waits out the window unless a person asked for it.
    mutating func decided(_ s: Int, plan: ServicePlan, input: ServiceInput, step: Int, now: Date, hub: SimulatedHub) -> Violation? {
        let name = input.spec.service
        let leaving: Set<String> = [input.active]
        let candidates = input.spec.failover.map(\.datacenter) + [input.spec.primary]
        watches[s].fitExists = candidates.contains { !leaving.contains($0) && Self.misfit($0, in: input) == nil }
        guard let move = plan.status.lastTransition, move.completedAt == nil, move != input.status?.lastTransition else { return nil }
        watches[s].move = MoveStart(target: move.to, reason: move.reason, misfit: Self.misfit(move.to, in: input))
        guard move.reason == Reason.failback, !input.failbackRequested else { return nil }
        let policy = input.spec.effectivePolicy
        let window = TimeInterval(policy.effectiveStabilizationSeconds)
        let i = hub.names.firstIndex(of: move.to)
        let ready = i.map { hub.statuses[$0]?.phase == .ready } ?? false
        let healthyFor = i.flatMap { upSince[$0] }.map { now.timeIntervalSince($0) }
        if policy.effectiveFailback == .automatic, ready, let healthyFor, healthyFor >= window { return nil }
        let health = healthyFor.map { "after \(Int($0)) s of continuous health" } ?? "while it is not up"
        return Violation(
            invariant: .noEarlyFailback, step: step,
            detail: "\(name) started failing back to \(move.to) \(health) (failback \(policy.effectiveFailback.rawValue), window \(Int(window)) s, nobody asked)")
    }

    /// Records whether the pass stopped before writing its status.
    mutating func passEnded(_ s: Int, stopped: Bool) { watches[s].stopped = stopped }

    /// Checks the moment after an effect applied: traffic moves only onto ready replicas and onto a
    /// target that fitted when its move started, a failover leaves only a datacenter with an
    /// incident of its own, and the datacenter traffic points at is never scaled to 0.
    mutating func applied(
        _ effect: ServiceEffect, _ s: Int, trafficBefore: String, service: SimulatedService, input: ServiceInput, step: Int
    ) -> Violation? {
        let name = service.name
        switch effect {
        case .scale(let datacenter, 0) where datacenter == service.traffic:
            return Violation(
                invariant: .trafficOnReadyReplicas, step: step, detail: "\(name) scaled \(datacenter) to 0 while its traffic pointed there")
        case .switchTraffic(let target) where target != trafficBefore:
            let seen = input.sites[target]?.readyReplicas ?? 0
            if service.ready(target) == 0, seen == 0 {
                return Violation(
                    invariant: .trafficOnReadyReplicas, step: step,
                    detail: "\(name) switched traffic from \(trafficBefore) to \(target), which had no ready replicas (and the controller saw none)")
            }
            guard let move = watches[s].move, move.target == target else {
                return Violation(
                    invariant: .noEvictionWithoutFit, step: step, detail: "\(name) moved traffic from \(trafficBefore) to \(target) without a move there")
            }
            if let misfit = move.misfit {
                return Violation(
                    invariant: .noEvictionWithoutFit, step: step,
                    detail: "\(name) moved traffic from \(trafficBefore) to \(target), which did not fit when the move started: \(misfit)")
            }
            if Self.failoverReasons.contains(move.reason), !watches[s].faultSinceArrival {
                return Violation(
                    invariant: .oneTransitionPerIncident, step: step,
                    detail: "\(name) failed over from \(trafficBefore) to \(target) (\(move.reason)) although \(trafficBefore) had no fault "
                        + "since traffic arrived there at t=\(watches[s].arrivedAt): a second transition for an earlier incident")
            }
            watches[s].arrivedAt = step
            watches[s].faultSinceArrival = false
            watches[s].emptySince = nil
            watches[s].emptySteps = 0
            return nil
        default:
            return nil
        }
    }
}
