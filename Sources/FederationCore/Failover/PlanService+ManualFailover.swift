import FederationAPI
import Foundation

extension ServicePlanner {
    /// What a person must do for a service whose active datacenter is unhealthy while
    /// `policy.mode` is Manual: the message of its Ready and Stalled conditions (reason
    /// AwaitingManualFailover) and of the Warning event. `fit` is where an automatic failover would
    /// go now; with a target, the two ways to move there (a planned migration by `spec.primary`, or
    /// `Automatic` mode); without one, what keeps every datacenter from taking the service.
    static func manualFailoverAdvice(active: String, reason: String, primary: String, fit: FailoverFit) -> String {
        let unhealthy = "\(active) is unhealthy (\(reason)) and spec.policy.mode is Manual, so nothing moves until a person acts"
        switch fit {
        case .target(let target, _) where target == primary:
            return "\(unhealthy): set spec.policy.mode to Automatic to fail over to \(target), or wait for \(active) to recover"
        case .target(let target, _):
            return "\(unhealthy): set spec.primary to \(target) (swapping it with \(primary) in spec.failover) to move the Service there "
                + "make-before-break, or spec.policy.mode to Automatic to fail over to \(target)"
        case .blocked(let reasons):
            return "\(unhealthy), and no datacenter fits a move now (\(reasons.joined(separator: "; "))): make room in one, or wait for \(active) to recover"
        }
    }
}
