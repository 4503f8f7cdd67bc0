import FederationAPI
import Foundation

extension DatacenterHealth {
    /// Sets Registered, Reachable and Ready from the new phase and this probe.
    static func setConditions(
        on status: inout DatacenterStatus, probe: ProbeResult, failureThreshold: Int, successThreshold: Int,
        generation: Int64, time: KubeTime
    ) {
        typealias T = Datacenter.ConditionType
        typealias R = Datacenter.Reason
        func condition(_ type: String, _ value: ConditionStatus, _ reason: String, _ message: String) -> Condition {
            Condition(type: type, status: value, observedGeneration: generation, lastTransitionTime: time, reason: reason, message: message)
        }
        let phase = status.phase ?? .pending
        let successes = status.consecutiveSuccesses ?? 0
        let failures = status.consecutiveFailures ?? 0

        switch probe {
        case .success(_, let serverVersion):
            let version = serverVersion ?? status.serverVersion
            let registered = version.map { "The API server answered; version \($0)." } ?? "The datacenter answered."
            status.conditions.set(condition(T.registered, .true, R.connected, registered))
            status.conditions.set(condition(T.reachable, .true, R.probeSucceeded, "The latest probe succeeded."))
        case .failure(let reason, let message):
            if var registered = status.conditions.condition(T.registered), registered.status == .true {
                registered.observedGeneration = generation
                status.conditions.set(registered)
            } else {
                status.conditions.set(condition(T.registered, .false, reason, message))
            }
            status.conditions.set(condition(T.reachable, .false, reason, message))
        }

        let progress = "\(successes) of \(successThreshold) consecutive successful probes."
        let ready: Condition
        switch (phase, probe) {
        case (.ready, _):
            ready = condition(T.ready, .true, R.healthy, "The datacenter answers its probes.")
        case (.suspect, .failure(_, let message)):
            ready = condition(
                T.ready, .true, R.suspect,
                "\(failures == 1 ? "1 probe" : "\(failures) consecutive probes") failed; Unreachable after \(failureThreshold): \(message)"
            )
        case (.suspect, .success):
            ready = condition(T.ready, .true, R.suspect, "Recovering from failed probes: \(progress)")
        case (.pending, .failure(_, let message)):
            ready = condition(T.ready, .false, R.pending, "Not reachable yet: \(message)")
        case (.pending, .success):
            ready = condition(T.ready, .false, R.pending, "Joining: \(progress)")
        case (.unreachable, .failure(_, let message)):
            let since = status.unhealthySince.map { " since \($0)" } ?? ""
            ready = condition(T.ready, .false, R.unreachable, "Probes have failed\(since): \(message)")
        case (.unreachable, .success):
            ready = condition(T.ready, .false, R.recovering, "Probes succeed again: \(progress)")
        }
        status.conditions.set(ready)
    }
}
