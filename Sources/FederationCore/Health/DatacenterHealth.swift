import FederationAPI
import Foundation

/// The health decision for one Datacenter: a pure function of the previous status, one probe
/// result, the effective health-check settings, the object's generation and the time.
///
/// Phases (F = `failureThreshold`, S = `successThreshold`):
/// - **Pending** (no status yet, or never healthy): becomes Ready after S consecutive successes.
///   Failures keep it Pending: a datacenter that was never healthy is not "lost"; the Registered
///   and Reachable conditions say why it is not joining.
/// - **Ready**: the first failed probe makes it **Suspect** — always, even with F = 1 — so a
///   single lost probe never makes a Ready datacenter Unreachable.
/// - **Suspect**: F consecutive failures (counted from the first) make it **Unreachable**;
///   S consecutive successes make it Ready again. A success resets the failure count, so a
///   datacenter that alternates stays Suspect (still Ready for its users, but visibly flaky).
/// - **Unreachable**: S consecutive successes make it Ready; anything less keeps it Unreachable
///   (its Ready condition says Recovering).
///
/// Counters: `consecutiveFailures` (reset by a success) and `consecutiveSuccesses` (reset by a
/// failure, counted up to S). `unhealthySince` is set by the first failure of a run and cleared
/// only when the datacenter is Ready again, so a flapping member does not restart the failover
/// clock. Latency is an exponentially weighted moving average with ``latencySmoothing`` = 0.3
/// (each probe moves the estimate 30 % of the way to the new sample), rounded to whole
/// milliseconds and nudged by 1 ms when rounding alone would never converge.
///
/// Conditions (all with `observedGeneration` = generation, via `[Condition].set`, so
/// `lastTransitionTime` moves only when a status flips):
/// - `Registered`: True (Connected) from the first success on, never reset by failures;
///   False with the failure's reason until then.
/// - `Reachable`: True (ProbeSucceeded) when the latest probe succeeded, else False with its reason.
/// - `Ready`: True while Ready (Healthy) or Suspect (Suspect); False while Pending (Pending) or
///   Unreachable (Unreachable, or Recovering once probes succeed again).
///
/// Nothing in a condition message changes from probe to probe in a steady state, so
/// ``writeReason(written:computed:healthCheck:now:)`` can compare conditions directly.
public enum DatacenterHealth {
    /// The EWMA weight of a new latency sample.
    public static let latencySmoothing = 0.3

    /// Computes the status after one probe.
    ///
    /// - Parameters:
    ///   - previous: The status computed after the previous probe. Keep it in memory between probes;
    ///     after a restart or a change of leader pass the status read from the API server — every
    ///     field the decision depends on is persisted there, so the outcome is the same.
    ///   - probe: This probe's outcome.
    ///   - healthCheck: `spec.effectiveHealthCheck`.
    ///   - generation: `metadata.generation`, recorded as `observedGeneration`.
    ///   - now: When the probe finished.
    /// - Returns: The new status. `role` is carried over from `previous` unchanged: the
    ///   FederationPolicy controller owns it, so set `previous.role` from the object as last read
    ///   (not from memory) before calling, or a stale role would be written back.
    public static func evaluate(
        previous: DatacenterStatus?, probe: ProbeResult, healthCheck: EffectiveHealthCheck, generation: Int64, now: Date
    ) -> DatacenterStatus {
        var status = previous ?? DatacenterStatus()
        let previousPhase = status.phase ?? .pending
        let failureThreshold = max(1, healthCheck.failureThreshold)
        let successThreshold = max(1, healthCheck.successThreshold)
        let time = KubeTime(now)
        status.observedGeneration = generation
        status.lastProbeTime = time

        let phase: DatacenterPhase
        switch probe {
        case .success(let latency, let serverVersion):
            let successes = min((status.consecutiveSuccesses ?? 0) + 1, successThreshold)
            status.consecutiveSuccesses = successes
            status.consecutiveFailures = 0
            if let serverVersion { status.serverVersion = serverVersion }
            if let latency {
                status.latencyMilliseconds = smoothedLatency(previous: status.latencyMilliseconds, sample: latency.milliseconds)
            }
            phase = previousPhase == .ready || successes >= successThreshold ? .ready : previousPhase
            if phase == .ready { status.unhealthySince = nil }
        case .failure:
            let failures = (status.consecutiveFailures ?? 0) + 1
            status.consecutiveFailures = failures
            status.consecutiveSuccesses = 0
            status.unhealthySince = status.unhealthySince ?? time
            switch previousPhase {
            case .pending: phase = .pending
            case .ready: phase = .suspect
            case .suspect, .unreachable: phase = failures >= failureThreshold ? .unreachable : previousPhase
            }
            // An unreachable member has no latency: the last round trip measured says nothing of it now.
            if phase == .unreachable { status.latencyMilliseconds = nil }
        }
        status.phase = phase
        setConditions(
            on: &status, probe: probe, failureThreshold: failureThreshold, successThreshold: successThreshold,
            generation: generation, time: time
        )
        return status
    }

    /// The status to write on the controller's first visit, before any probe has run: phase
    /// Pending and Registered, Reachable and Ready all Unknown (AwaitingFirstProbe), as the API
    /// conventions ask ("set conditions on the first visit, even as Unknown").
    public static func initialStatus(generation: Int64, now: Date) -> DatacenterStatus {
        var status = DatacenterStatus(observedGeneration: generation, phase: .pending)
        for type in [Datacenter.ConditionType.registered, Datacenter.ConditionType.reachable, Datacenter.ConditionType.ready] {
            status.conditions.set(
                Condition(
                    type: type, status: .unknown, observedGeneration: generation, lastTransitionTime: KubeTime(now),
                    reason: Datacenter.Reason.awaitingFirstProbe, message: "No probe has run yet."
                )
            )
        }
        return status
    }

    /// The status after a reconcile with no new probe: a first visit gets ``initialStatus(generation:now:)``
    /// (conditions Unknown, as the API conventions ask); otherwise only `observedGeneration` moves,
    /// on the status and on every condition, so a spec change is acknowledged without a probe.
    public static func observe(_ status: DatacenterStatus, generation: Int64, now: Date) -> DatacenterStatus {
        guard !status.conditions.isEmpty else {
            var first = initialStatus(generation: generation, now: now)
            first.role = status.role
            return first
        }
        var observed = status
        observed.observedGeneration = generation
        for i in observed.conditions.indices { observed.conditions[i].observedGeneration = generation }
        return observed
    }

    /// The next smoothed latency in whole milliseconds.
    static func smoothedLatency(previous: Int?, sample: Double) -> Int {
        let target = Int(max(0, sample).rounded())
        guard let previous else { return target }
        let next = Int((Double(previous) + latencySmoothing * (max(0, sample) - Double(previous))).rounded())
        if next == previous, target != previous { return previous + (target > previous ? 1 : -1) }
        return next
    }
}
