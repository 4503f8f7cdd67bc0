import ControllerRuntime
import FederationAPI
import Foundation

/// One Service, one ServiceFailover: two that manage the same Service or workload would undo each
/// other's copies, scales and routes on every pass. The oldest (by creation, then name) manages it;
/// each other one is `Ready=False`, `Stalled=True`, reason `ServiceClaimed`, and acts on nothing
/// until it is the only one left.
extension ServiceFailoverReconciler {
    /// The other ServiceFailovers of `sf`'s namespace, not being deleted and with a spec that can be
    /// acted on, that manage its Service or its workload (one stalled on its own spec manages nothing).
    func rivals(of sf: ServiceFailover) -> [ServiceFailover] {
        Self.rivals(of: sf, among: cache.list(namespace: sf.metadata.namespace)).filter { other in
            (other.spec.effectiveMode == .activeActive ? validateActiveActive(other) : validate(other)) == nil
        }
    }

    /// ``rivals(of:)`` among `others`.
    static func rivals(of sf: ServiceFailover, among others: [ServiceFailover]) -> [ServiceFailover] {
        others.filter { other in
            other.metadata.name != sf.metadata.name && other.metadata.namespace == sf.metadata.namespace && other.metadata.deletionTimestamp == nil
                && (other.spec.service == sf.spec.service || Self.workload(of: other) == Self.workload(of: sf))
        }
    }

    /// The kind and name of the workload a ServiceFailover moves.
    static func workload(of sf: ServiceFailover) -> String {
        "\(sf.spec.effectiveWorkload.effectiveKind)/\(sf.spec.effectiveWorkload.name ?? sf.spec.service)"
    }

    /// True when `a` was created before `b` (then by name): the one that manages a Service both claim.
    static func precedes(_ a: ServiceFailover, _ b: ServiceFailover) -> Bool {
        let (ta, tb) = (a.metadata.creationTimestamp?.date ?? .distantFuture, b.metadata.creationTimestamp?.date ?? .distantFuture)
        return ta != tb ? ta < tb : (a.metadata.name ?? "") < (b.metadata.name ?? "")
    }

    /// Why `sf` may not act: an older rival manages its Service or workload (nil: `sf` manages them).
    func claimBlocker(_ sf: ServiceFailover) -> ServiceBlocker? {
        guard let owner = rivals(of: sf).filter({ Self.precedes($0, sf) }).min(by: Self.precedes) else { return nil }
        let what = owner.spec.service == sf.spec.service ? "Service \(sf.spec.service)" : "\(Self.workload(of: sf))"
        return ServiceBlocker(
            reason: ServiceFailover.Reason.serviceClaimed,
            message: "ServiceFailover \(owner.metadata.name ?? "") (created first) already manages \(what) in this namespace; two would undo each other's moves. Delete one of them, or point this one at another Service.",
            terminal: true)
    }
}
