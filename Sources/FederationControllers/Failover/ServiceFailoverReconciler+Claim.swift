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
        Self.rivals(of: sf, in: cache).filter { other in
            (other.spec.effectiveMode == .activeActive ? validateActiveActive(other) : validate(other)) == nil
        }
    }

    /// The cache index of ServiceFailovers by what they manage (``claims(of:)``), so finding a rival
    /// reads only those, not the namespace.
    static let claimIndex = "federation.concord.dev/claims"

    /// What a ServiceFailover manages, as index values: its Service and its workload, in its namespace.
    @Sendable static func claims(of sf: ServiceFailover) -> [String] {
        let namespace = sf.metadata.namespace ?? ""
        return [serviceClaim(namespace, sf.spec.service), workloadClaim(namespace, workload(of: sf))]
    }

    /// The ``claimIndex`` value of Service `service` in `namespace`.
    static func serviceClaim(_ namespace: String, _ service: String) -> String { "\(namespace)/service/\(service)" }

    /// The ``claimIndex`` value of workload `kindAndName` (``workload(of:)``'s `Kind/name`) in `namespace`.
    static func workloadClaim(_ namespace: String, _ kindAndName: String) -> String { "\(namespace)/workload/\(kindAndName)" }

    /// The other ServiceFailovers in `cache`, not being deleted, that manage `sf`'s Service or workload
    /// (through ``claimIndex`` when the cache has it).
    static func rivals(of sf: ServiceFailover, in cache: InformerCache<ServiceFailover>) -> [ServiceFailover] {
        let candidates = cache.hasIndex(claimIndex)
            ? claims(of: sf).flatMap { cache.byIndex(claimIndex, $0) } : cache.list(namespace: sf.metadata.namespace)
        var seen = Set<String>()
        return candidates.filter { other in
            other.metadata.name != sf.metadata.name && other.metadata.namespace == sf.metadata.namespace && other.metadata.deletionTimestamp == nil
                && (other.spec.service == sf.spec.service || workload(of: other) == workload(of: sf))
                && seen.insert(other.metadata.name ?? "").inserted
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
