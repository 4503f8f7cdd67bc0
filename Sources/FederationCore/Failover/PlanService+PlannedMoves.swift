import FederationAPI
import Foundation

extension ServicePlanner {
    /// The policy the active datacenter is judged by: `minReadyReplicas` never above the replicas
    /// it runs, the same bar a failover to it had to clear. (A failover target running fewer
    /// replicas than `minReadyReplicas` would otherwise count as unhealthy from the moment traffic
    /// arrived, and fail over again for the same incident.)
    var activePolicy: FailoverPolicy {
        var judged = policy
        judged.minReadyReplicas = min(policy.effectiveMinReadyReplicas, input.replicas(in: active))
        return judged
    }

    /// `datacenter` as a candidate with the replicas a move there scales it to (the primary runs
    /// the primary's count even when it is also listed as a failover datacenter), so fit is judged
    /// for exactly what the move asks.
    func sized(_ datacenter: String) -> FailoverTarget {
        FailoverTarget(datacenter: datacenter, replicas: input.replicas(in: datacenter))
    }

    /// Starts a planned move (a migration or a failback) to `target` when it fits as a failover
    /// target must (Ready, not cordoned, room for its replicas); otherwise moves nothing, reports
    /// `Blocked` with the reason and raises one Warning event. True when the move started.
    @discardableResult
    mutating func startPlanned(to target: String, reason: String) -> Bool {
        let fit = FailoverFit.choose(from: [sized(target)], leaving: active, sites: input.sites, defaultReplicas: input.primaryReplicas)
        guard case .blocked(let reasons) = fit else {
            start(to: target, reason: reason)
            return true
        }
        let move = reason == ServiceFailover.Reason.failback ? "failback" : "migration"
        let message = "the \(move) to \(target) waits, nothing was moved: " + reasons.joined(separator: "; ")
        if input.status?.phase != .blocked {
            effects.append(.event(warning: true, reason: ServiceFailover.Reason.noFittingTarget, message: message))
        }
        status.phase = .blocked
        blockedMessage = message
        return false
    }
}
