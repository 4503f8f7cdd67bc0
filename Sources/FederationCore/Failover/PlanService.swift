import FederationAPI
import Foundation

/// Plans one pass of a ServiceFailover, make-before-break, from persisted state only.
///
/// - Running where it should: judge the active datacenter (`FailoverTrigger`); a failover picks
///   the first fitting target (`FailoverFit`) and starts a move, or reports `Blocked` and moves
///   nothing. Copies outside the active datacenter that the controller reaches are kept at 0
///   (an old site that returns is scaled down). After a failover, `FailbackDecision` brings the
///   service home. A `spec.primary` that no longer names the active datacenter starts a planned
///   migration.
/// - A move in flight (`status.lastTransition` without `completedAt`): once the target has
///   enough ready replicas, switch traffic to it and only then scale the old site to 0 (when
///   reachable). A failover needs `minReadyReplicas` ready (at least 1); a migration or failback,
///   the full count within `readinessTimeoutSeconds`, else it rolls back (`Degraded`).
public func planService(_ input: ServiceInput) -> ServicePlan {
    var planner = ServicePlanner(input)
    planner.plan()
    return ServicePlan(effects: planner.effects, status: planner.status, requeueAfter: planner.requeue)
}

/// Reasons a failover (as opposed to a planned move) leaves a datacenter.
private let failoverReasons: Set<String> = [ServiceFailover.Reason.datacenterUnreachable, ServiceFailover.Reason.replicasUnavailable]

struct ServicePlanner {
    typealias Reason = ServiceFailover.Reason
    let input: ServiceInput
    var status: ServiceFailoverStatus
    var effects: [ServiceEffect] = []
    var requeue: TimeInterval?
    /// Why nothing fits, for the Ready condition.
    var blockedMessage: String?
    /// Why a planned move was rolled back, for the Progressing condition.
    var rolledBack: String?
    /// The active datacenter is unhealthy long enough, but mode is Manual: nothing moved. What a
    /// person must do, for the Ready and Stalled conditions and the Warning event.
    var awaitingManualFailover: String?

    /// How often a move in flight looks at its target's readiness.
    static let moveRecheckSeconds: TimeInterval = 1

    init(_ input: ServiceInput) {
        self.input = input
        status = input.status ?? ServiceFailoverStatus()
    }

    var policy: FailoverPolicy { input.spec.effectivePolicy }
    var now: Date { input.now }
    var primary: String { input.spec.primary }
    /// Where the service runs as of this pass's decisions (a completed move changes it).
    var active: String { status.activeDatacenter ?? primary }

    mutating func plan() {
        if status.activeDatacenter == nil {
            status.activeDatacenter = primary
            status.phase = .active
        }
        if let move = status.lastTransition, move.completedAt == nil {
            continueMove(move)
        } else {
            steady()
        }
        summarize()
        status.placement = status.activeDatacenter
        status.observedGeneration = input.generation
    }

    /// True when the service runs in a failover datacenter because its site failed (not because
    /// a person moved it), and the run of failovers that brought it here started in `spec.primary`:
    /// then `spec.primary` is where it goes back to. When a person changed `spec.primary` since, the
    /// move to the new primary is a planned migration instead.
    var failedOver: Bool {
        guard active != primary, let last = status.lastTransition, last.to == active, failoverReasons.contains(last.reason) else { return false }
        var origin = last.from
        for earlier in status.history.drop(while: { $0 == last }) {
            guard failoverReasons.contains(earlier.reason), earlier.to == origin else { break }
            origin = earlier.from
        }
        return origin == primary
    }

    // MARK: - Steady state

    mutating func steady() {
        let pendingMigration = !failedOver && active != primary
        if pendingMigration {
            // A migration that rolled back is not retried until the spec changes.
            let rolledBackHere = status.phase == .degraded && status.observedGeneration == input.generation
            if !rolledBackHere, startPlanned(to: primary, reason: Reason.plannedMigration) { return }
        }
        guard let site = input.sites[active] else {
            status.phase = .blocked
            blockedMessage = "the active datacenter \(active) is not a known Datacenter"
            return
        }
        switch FailoverTrigger.evaluate(active: site, policy: activePolicy, now: now) {
        case .healthy:
            // A rolled-back failback stays Degraded until the next one starts (its condition's time is the new window's start).
            let rolledBackFailback = failedOver && status.phase == .degraded
            status.phase = pendingMigration ? (blockedMessage == nil ? .degraded : .blocked) : rolledBackFailback ? .degraded : failedOver ? .failedOver : .active
            scaleDownIdleCopies()
            if failedOver { considerFailback() }
        case .waiting(_, _, let remaining):
            requeue = remaining
        case .failOver(let reason, _):
            failOver(from: active, reason: reason.rawValue)
        }
    }

    mutating func failOver(from active: String, reason: String) {
        var candidates = input.spec.failover.map { sized($0.datacenter) }
        if active != primary { candidates.append(sized(primary)) }
        let fit = FailoverFit.choose(from: candidates, leaving: active, sites: input.sites, defaultReplicas: input.primaryReplicas)
        if policy.effectiveMode == .manual {
            let message = Self.manualFailoverAdvice(active: active, reason: reason, primary: primary, fit: fit)
            awaitingManualFailover = message
            if status.conditions.condition(ServiceFailover.ConditionType.ready)?.reason != Reason.awaitingManualFailover {
                effects.append(.event(warning: true, reason: Reason.awaitingManualFailover, message: message))
            }
            status.phase = failedOver ? .failedOver : .active
            return
        }
        switch fit {
        case .target(let datacenter, _):
            start(to: datacenter, reason: reason)
        case .blocked:
            if status.phase != .blocked {
                effects.append(.event(warning: true, reason: Reason.noFittingTarget, message: fit.message ?? ""))
            }
            status.phase = .blocked
            blockedMessage = fit.message
        }
    }

    mutating func considerFailback() {
        guard var home = input.sites[primary] else { return }
        // A failback that was rolled back (its target never became ready) is not retried at once: the
        // window starts again at the rollback, and a request must be newer than it.
        var requested = input.failbackRequested
        if let rollback = status.conditions.condition(ServiceFailover.ConditionType.progressing), rollback.reason == Reason.readinessTimeout,
            rollback.status == .false
        {
            home.readySince = max(home.readySince ?? rollback.lastTransitionTime.date, rollback.lastTransitionTime.date)
            if let asked = input.failbackRequestedAt, asked < rollback.lastTransitionTime.date { requested = false }
        }
        switch FailbackDecision.evaluate(primary: home, policy: policy, requested: requested, now: now) {
        case .failBack: startPlanned(to: primary, reason: Reason.failback)
        case .stabilizing(let remaining): requeue = min(requeue ?? remaining, remaining)
        case .awaitingRequest, .primaryUnhealthy: break
        }
    }

    /// Warm copies outside the active datacenter run 0 replicas: an old site that comes back, or
    /// a target a rolled-back move left scaled up, is scaled down once reachable.
    mutating func scaleDownIdleCopies() {
        for (name, replicas) in input.desiredReplicas.sorted(by: { $0.key < $1.key })
        where name != active && replicas > 0 && input.reachable(name) {
            effects.append(.scale(datacenter: name, replicas: 0))
        }
    }

    // MARK: - Moves

    mutating func start(to target: String, reason: String) {
        let from = active
        status.lastTransition = FailoverTransition(from: from, to: target, reason: reason, startedAt: KubeTime(now))
        status.phase = failoverReasons.contains(reason) ? .failingOver : .migrating
        let replicas = input.replicas(in: target)
        effects.append(.scale(datacenter: target, replicas: replicas))
        effects.append(.event(warning: false, reason: "\(reason)Started", message: "moving from \(from) to \(target): scaling \(target) to \(replicas) before switching traffic"))
        requeue = Self.moveRecheckSeconds
    }

    mutating func continueMove(_ move: FailoverTransition) {
        let target = move.to
        let planned = !failoverReasons.contains(move.reason)
        let wanted = input.replicas(in: target)
        let needed = planned ? wanted : min(wanted, max(1, policy.effectiveMinReadyReplicas))
        let ready = input.sites[target]?.readyReplicas ?? 0
        status.phase = planned ? .migrating : .failingOver
        if input.reachable(target), ready >= needed, input.sites[target]?.statusCurrent ?? false {
            return complete(move)
        }
        let elapsed = now.timeIntervalSince(move.startedAt.date)
        if input.sites[target]?.phase == .unreachable || (planned && elapsed >= TimeInterval(input.spec.effectiveMigration.effectiveReadinessTimeoutSeconds)) {
            return abandon(move, readyReplicas: ready, wanted: needed)
        }
        // Keep the target asked for its replicas (a pass that died between the status write and the scale re-issues it).
        if input.desiredReplicas[target] != wanted { effects.append(.scale(datacenter: target, replicas: wanted)) }
        requeue = Self.moveRecheckSeconds
    }

    mutating func complete(_ move: FailoverTransition) {
        let done = status.listEnded(move, at: now)
        effects.append(.switchTraffic(to: move.to))
        if let from = move.from, from != move.to, input.reachable(from) {
            effects.append(.scale(datacenter: from, replicas: 0))
        }
        effects.append(.event(warning: false, reason: "\(move.reason)Completed", message: "traffic moved from \(move.from ?? "none") to \(move.to) in \(done.durationSeconds ?? 0) s"))
        status.activeDatacenter = move.to
        status.lastTransition = done
        status.phase = failoverReasons.contains(move.reason) && move.to != primary ? .failedOver : .active
    }

    /// The target died, or a planned move did not become ready in time: traffic stays where it is.
    /// A failover tries the next fitting target; a migration or failback rolls back (`Degraded`).
    mutating func abandon(_ move: FailoverTransition, readyReplicas: Int, wanted: Int) {
        status.lastTransition = status.history.first
        if input.reachable(move.to) { effects.append(.scale(datacenter: move.to, replicas: 0)) }
        if failoverReasons.contains(move.reason) {
            effects.append(.event(warning: true, reason: "\(move.reason)Retargeted", message: "\(move.to) became Unreachable during the failover; looking for the next target"))
            var others = input.spec.failover.filter { $0.datacenter != move.to }.map { sized($0.datacenter) }
            if move.from != primary, move.to != primary { others.append(sized(primary)) }
            let fit = FailoverFit.choose(from: others, leaving: move.from ?? primary, sites: input.sites, defaultReplicas: input.primaryReplicas)
            if case .target(let datacenter, _) = fit {
                return start(to: datacenter, reason: move.reason)
            }
            status.phase = .blocked
            blockedMessage = fit.message
            effects.append(.event(warning: true, reason: Reason.noFittingTarget, message: fit.message ?? ""))
            return
        }
        status.phase = .degraded
        rolledBack = "\(move.to) had \(readyReplicas) of \(wanted) replicas ready after \(input.spec.effectiveMigration.effectiveReadinessTimeoutSeconds) s; traffic stays in \(active)"
        effects.append(.event(warning: true, reason: Reason.readinessTimeout, message: rolledBack ?? ""))
    }
}
