import FederationAPI
import Foundation

extension ServicePlanner {
    /// The kstatus conditions after the pass: Available (the active site's ready replicas),
    /// FailedOver (running outside `spec.primary`), Progressing and Reconciling (a move in flight),
    /// Stalled (Blocked, a planned move rolled back, or Manual mode waiting for a person to move the
    /// service off an unhealthy datacenter), and Ready, which sums them up.
    mutating func summarize() {
        let ready = input.sites[active]?.readyReplicas ?? 0
        let minimum = max(1, activePolicy.effectiveMinReadyReplicas)
        let moving = status.lastTransition.map { $0.completedAt == nil } ?? false
        let available = ready >= minimum && input.reachable(active)
        // A service created while its workload still rolls out has not been available yet: that is no loss,
        // so its unready replicas count only after `readinessTimeoutSeconds` (`ServiceFailover.unavailableSince`).
        let earlier = status.conditions.condition(ServiceFailover.ConditionType.available)
        let neverAvailable = !available && (earlier == nil || earlier?.reason == Reason.notYetAvailable)
        let unavailableReason = neverAvailable ? Reason.notYetAvailable : Reason.minimumReplicasUnavailable
        set(ServiceFailover.ConditionType.available, available,
            available ? Reason.minimumReplicasAvailable : unavailableReason,
            "\(ready) of at least \(minimum) replicas ready in \(active)" + (neverAvailable ? " (not available yet since the ServiceFailover was created)" : ""))
        set(ServiceFailover.ConditionType.failedOver, active != primary,
            active != primary ? Reason.runningInFailover : Reason.runningInPrimary,
            active != primary ? "running in \(active) instead of \(primary)" : "running in \(primary)")
        let progress: (Bool, String, String)
        if moving, let move = status.lastTransition {
            progress = (true, Reason.scalingUpTarget, "moving from \(move.from ?? "none") to \(move.to) (\(move.reason)): waiting for ready replicas in \(move.to)")
        } else if status.phase == .blocked {
            progress = (false, Reason.noFittingTarget, blockedMessage ?? "no failover datacenter fits")
        } else if status.phase == .degraded {
            let earlier = status.conditions.condition(ServiceFailover.ConditionType.progressing)
            let message = rolledBack ?? (earlier?.reason == Reason.readinessTimeout ? earlier?.message : nil)
                ?? "the planned move to \(primary) was rolled back; change the spec to try again"
            progress = (false, Reason.readinessTimeout, message)
        } else {
            progress = (false, Reason.stable, "nothing in flight")
        }
        set(ServiceFailover.ConditionType.progressing, progress.0, progress.1, progress.2)
        set(ServiceFailover.ConditionType.reconciling, moving, progress.1, progress.2)
        // Blocked or rolled back, or waiting for a person to move it (Manual mode): nothing progresses on its own.
        let stuck = status.phase == .blocked || status.phase == .degraded
        let stalled: (reason: String, message: String)? = awaitingManualFailover.map { (Reason.awaitingManualFailover, $0) }
            ?? (stuck ? (progress.1, progress.2) : nil)
        set(ServiceFailover.ConditionType.stalled, stalled != nil, stalled?.reason ?? Reason.stable, stalled?.message ?? "making progress")
        let readyNow = available && !moving && stalled == nil
        let readyReason = moving ? progress.1 : stalled?.reason ?? (available ? Reason.minimumReplicasAvailable : unavailableReason)
        let readyMessage = moving ? progress.2 : stalled?.message ?? "\(ready) of at least \(minimum) replicas ready in \(active)"
        set(ServiceFailover.ConditionType.ready, readyNow, readyReason, readyMessage)
    }

    private mutating func set(_ type: String, _ isTrue: Bool, _ reason: String, _ message: String) {
        status.conditions.set(Condition(
            type: type, status: isTrue ? .true : .false, observedGeneration: input.generation, lastTransitionTime: KubeTime(now),
            reason: reason, message: message))
    }
}
