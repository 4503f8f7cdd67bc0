import FederationAPI
import Foundation

extension ServiceChecker {
    /// Checks the end of a step: traffic rests on ready replicas except in the window the policy
    /// allows, and, once the heal is `serviceSettleBound` steps old, every service is settled.
    ///
    /// Traffic pointing at a datacenter D without ready replicas is a violation when Concord scaled
    /// D to 0 (or never scaled it up); when D lost them to a fault, only once all of these hold:
    /// D has had none for longer than `unhealthyForSeconds` plus the detection slack (by the hub's
    /// clock, and not counting from before the hub's own record of D's failed probes), mode is Automatic, the hub has reached D at least once (a Pending datacenter has no
    /// health to judge), no move is in flight in the persisted status, the step's pass did not stop
    /// at a failed effect, and a target fitted in that pass's view.
    mutating func endOfStep(
        step: Int, now: Date, services: [SimulatedService], hub: SimulatedHub, faulted: Set<Int>, counts: inout ServiceCounts
    ) -> Violation? {
        guard !services.isEmpty else { return nil }
        checks += Invariant.serviceInvariants.count
        for (s, service) in services.enumerated() {
            let d = service.traffic
            let member = hub.names.firstIndex(of: d)
            if member.map(faulted.contains) == true || service.workloads[d]?.broken(at: step) == true { watches[s].faultSinceArrival = true }
            let neverReached = member.map { hub.statuses[$0]?.phase ?? .pending } == .pending
            let seenSince = member.flatMap { hub.statuses[$0]?.unhealthySince?.date }
            if let violation = checkTraffic(
                s, service: service, neverReached: neverReached, seenUnhealthySince: seenSince, now: now, step: step, counts: &counts)
            {
                return violation
            }
        }
        guard step >= config.healStep else { return nil }
        let unsettled = services.compactMap { service in Self.unsettled(service).map { "\(service.name): \($0)" } }
        if unsettled.isEmpty, settledAfter == nil { settledAfter = step - config.healStep }
        if !unsettled.isEmpty { settledAfter = nil }
        if let first = unsettled.first, step >= config.healStep + config.serviceSettleBound {
            return Violation(
                invariant: .servicesSettleAfterHeal, step: step, detail: "\(config.serviceSettleBound)+ steps after the heal: \(first)")
        }
        counts.maxSettledAfter = settledAfter
        return nil
    }

    mutating func checkTraffic(
        _ s: Int, service: SimulatedService, neverReached: Bool, seenUnhealthySince: Date?, now: Date, step: Int, counts: inout ServiceCounts
    ) -> Violation? {
        let d = service.traffic
        guard service.ready(d) == 0 else {
            watches[s].emptySince = nil
            watches[s].emptySteps = 0
            return nil
        }
        watches[s].emptySteps += 1
        counts.longestWithoutReadyTraffic = max(counts.longestWithoutReadyTraffic, watches[s].emptySteps)
        if service.desired(d) == 0 {
            return Violation(
                invariant: .trafficOnReadyReplicas, step: step, detail: "\(service.name)'s traffic points at \(d), where Concord runs 0 replicas")
        }
        let since = watches[s].emptySince ?? now
        watches[s].emptySince = since
        let policy = service.policy
        // A workload not yet available since its ServiceFailover was created gets readinessTimeoutSeconds first.
        let firstRollout = service.status?.conditions.condition(ServiceFailover.ConditionType.available)?.reason == ServiceFailover.Reason.notYetAvailable
        let grace = firstRollout ? TimeInterval(service.spec.effectiveMigration.effectiveReadinessTimeoutSeconds) : 0
        let allowed = TimeInterval(policy.effectiveUnhealthyForSeconds) + Self.detectionSlack + grace
        // Counted from when the hub could tell: not before its own record of the run of failed
        // probes (a member cut off before it lost its pods; a clock step since then shifts both).
        let empty = now.timeIntervalSince(max(since, seenUnhealthySince ?? since))
        guard empty > allowed, policy.effectiveMode == .automatic, !neverReached, !service.moving, !watches[s].stopped, watches[s].fitExists
        else { return nil }
        return Violation(
            invariant: .trafficOnReadyReplicas, step: step,
            detail: "\(service.name)'s traffic has pointed at \(d) without ready replicas for \(Int(empty)) s (allowed \(Int(allowed)) s: "
                + "unhealthyFor \(policy.effectiveUnhealthyForSeconds) s + \(Int(Self.detectionSlack)) s to detect"
                + (firstRollout ? " + \(Int(grace)) s for the first rollout" : "") + "), no move in flight, "
                + "although a target fitted")
    }

    /// Why a service is not settled, or nil: no move in flight, traffic where the status says,
    /// the active datacenter running all its replicas ready (not orphaned at 0), and no replicas
    /// anywhere else (nothing left doubled).
    static func unsettled(_ service: SimulatedService) -> String? {
        if service.moving { return "a move is still in flight" }
        let active = service.active
        if service.traffic != active { return "traffic points at \(service.traffic), the status says \(active)" }
        let desired = service.desired(active), ready = service.ready(active)
        if desired < 1 { return "the active \(active) is orphaned at 0 replicas" }
        if ready < desired { return "the active \(active) has \(ready) of \(desired) replicas ready" }
        let doubled = service.workloads.filter { $0.key != active && $0.value.desired > 0 }.keys.sorted()
        if !doubled.isEmpty { return "replicas left in \(doubled.joined(separator: ", ")) besides the active \(active)" }
        return nil
    }
}
