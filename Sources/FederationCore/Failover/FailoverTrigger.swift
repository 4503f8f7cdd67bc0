import FederationAPI
import Foundation

/// Why a service leaves its active datacenter.
public enum FailoverReason: String, Hashable, Sendable {
    /// The active datacenter has been Unreachable for `unhealthyForSeconds`.
    case datacenterUnreachable = "DatacenterUnreachable"
    /// Its ready replicas have been below `minReadyReplicas` for `unhealthyForSeconds`.
    case replicasUnavailable = "ReplicasUnavailable"
}

/// The verdict on the active datacenter of a ServiceFailover.
public enum FailoverTrigger: Hashable, Sendable {
    /// Serving: nothing to do.
    case healthy
    /// Unhealthy, but not for `unhealthyForSeconds` yet: look again after `remaining` seconds.
    case waiting(reason: FailoverReason, since: Date, remaining: TimeInterval)
    /// Unhealthy for long enough: fail over (or, in Manual mode, report that it would).
    case failOver(reason: FailoverReason, since: Date)

    /// Judges the active datacenter.
    ///
    /// It fails over when the datacenter is `Unreachable` and its run of failed probes began at
    /// least `unhealthyForSeconds` ago, or when its ready replicas have stayed below
    /// `minReadyReplicas` for that long. Both times come from persisted status. A short freeze or a
    /// single lost probe never reaches `Unreachable` (the Datacenter's `failureThreshold`), so it
    /// never fails anything over, whatever `unhealthyForSeconds` is; a member that is only `Suspect`
    /// waits. The wait counts from the first failed probe, not from the phase change: the
    /// `failureThreshold` probes it took to reach `Unreachable` are part of it; and when its
    /// replicas were unavailable before that, from then.
    public static func evaluate(active: SiteHealth, policy: FailoverPolicy, now: Date) -> FailoverTrigger {
        let wait = TimeInterval(policy.effectiveUnhealthyForSeconds)
        if active.phase == .unreachable {
            // Replicas that were already unavailable before the datacenter became unreachable keep
            // their earlier start: the site has been unhealthy without interruption since then.
            let since = [active.unhealthySince, active.unavailableSince].compactMap { $0 }.min() ?? now
            let elapsed = now.timeIntervalSince(since)
            return elapsed >= wait ? .failOver(reason: .datacenterUnreachable, since: since)
                : .waiting(reason: .datacenterUnreachable, since: since, remaining: wait - elapsed)
        }
        if active.phase == .ready || active.phase == .suspect, let ready = active.readyReplicas,
            ready < policy.effectiveMinReadyReplicas
        {
            let since = active.unavailableSince ?? now
            let elapsed = now.timeIntervalSince(since)
            return elapsed >= wait ? .failOver(reason: .replicasUnavailable, since: since)
                : .waiting(reason: .replicasUnavailable, since: since, remaining: wait - elapsed)
        }
        return .healthy
    }
}

extension ServiceFailover {
    /// When the active site's unavailability began to count toward `unhealthyForSeconds`, from the persisted
    /// `Available` condition; nil while its replicas are available. A workload not yet available since the
    /// ServiceFailover was created (`NotYetAvailable`: its first rollout) gets `readinessTimeoutSeconds` first,
    /// as a Deployment gets its progress deadline, so a rollout in progress is not taken for a loss.
    public static func unavailableSince(_ status: ServiceFailoverStatus?, spec: ServiceFailoverSpec) -> Date? {
        guard let available = status?.conditions.condition(ConditionType.available), available.status == .false else { return nil }
        guard available.reason == Reason.notYetAvailable else { return available.lastTransitionTime.date }
        return available.lastTransitionTime.date.addingTimeInterval(TimeInterval(spec.effectiveMigration.effectiveReadinessTimeoutSeconds))
    }
}

/// Whether a service that failed over may go back to its primary now.
public enum FailbackDecision: Hashable, Sendable {
    /// The primary is not serving: stay.
    case primaryUnhealthy
    /// `failback: Manual` and nobody asked: stay (the primary is healthy).
    case awaitingRequest
    /// Automatic, but the primary has not been healthy for `stabilizationSeconds` yet.
    case stabilizing(remaining: TimeInterval)
    /// Go back, make-before-break.
    case failBack

    /// Decides failback. The primary must be `Ready` and must have stayed so for
    /// `stabilizationSeconds` (its `readySince`): a primary that flaps inside the window restarts
    /// the window and never moves traffic. A manual request still waits for the primary to be
    /// `Ready`, but not for the window.
    public static func evaluate(primary: SiteHealth, policy: FailoverPolicy, requested: Bool, now: Date) -> FailbackDecision {
        guard primary.phase == .ready, let since = primary.readySince else { return .primaryUnhealthy }
        if requested { return .failBack }
        guard policy.effectiveFailback == .automatic else { return .awaitingRequest }
        let elapsed = now.timeIntervalSince(since)
        let window = TimeInterval(policy.effectiveStabilizationSeconds)
        return elapsed >= window ? .failBack : .stabilizing(remaining: window - elapsed)
    }
}
