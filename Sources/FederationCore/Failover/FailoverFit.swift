import FederationAPI
import Foundation

/// Where a service can go: the first failover datacenter, in the spec's order, that fits.
public enum FailoverFit: Hashable, Sendable {
    /// Move to `datacenter` and run `replicas` there.
    case target(datacenter: String, replicas: Int)
    /// Nothing fits: evict nothing. `reasons` says why each candidate was refused, in order.
    case blocked(reasons: [String])

    /// Picks the target. A candidate fits when it is not the datacenter being left, is known, is
    /// not cordoned (`unschedulable`), is `Ready` (a `Suspect` member is not trusted with traffic), holds the workload (its warm standby copy),
    /// and its free capacity (`capacity.replicas` minus what Concord placed there for other
    /// services) holds its `replicas` (default `defaultReplicas`, the primary's replicas).
    public static func choose(
        from candidates: [FailoverTarget], leaving: String, sites: [String: SiteHealth], defaultReplicas: Int
    ) -> FailoverFit {
        var reasons: [String] = []
        for candidate in candidates where candidate.datacenter != leaving {
            let name = candidate.datacenter
            let replicas = max(0, candidate.replicas ?? defaultReplicas)
            guard let site = sites[name] else {
                reasons.append("\(name): no such Datacenter")
                continue
            }
            if site.unschedulable {
                reasons.append("\(name): cordoned (spec.unschedulable)")
            } else if site.phase != .ready {
                reasons.append("\(name): \(site.phase.rawValue)")
            } else if !site.hasWorkload {
                reasons.append("\(name): no copy of the workload there yet")
            } else if let free = site.freeReplicas, free < replicas {
                reasons.append("\(name): needs \(replicas) replicas, \(free) of capacity \(site.capacityReplicas ?? 0) free")
            } else {
                return .target(datacenter: name, replicas: replicas)
            }
        }
        if reasons.isEmpty { reasons.append("no failover datacenter other than \(leaving)") }
        return .blocked(reasons: reasons)
    }

    /// The `Blocked` message: every refusal, in order.
    public var message: String? {
        guard case .blocked(let reasons) = self else { return nil }
        return "no failover datacenter fits, nothing was moved: " + reasons.joined(separator: "; ")
    }
}
