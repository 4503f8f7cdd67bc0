import FederationAPI
import FederationCore
import Foundation

/// What `concord plan` says about one ServiceFailover: the decision of the planning function the
/// ServiceFailover controller runs (``FederationCore/planService(_:)``), on the sites as the
/// ServiceFailover's status and the Datacenters' status show them, under the assumptions.
struct ServicePlanReport: Codable, Equatable {
    /// One scale the pass would make.
    struct Scale: Codable, Equatable {
        var datacenter: String
        var replicas: Int
    }

    /// `namespace/name`.
    var service: String
    var activeDatacenter: String?
    var phase: String?
    var plannedActiveDatacenter: String?
    var plannedPhase: String?
    /// The move the pass would start or continue: `from → to (reason)`.
    var transition: String?
    var scales: [Scale]
    var switchTrafficTo: String?
    var events: [String]

    init(_ sf: ServiceFailover, plan: ServicePlan) {
        service = "\(sf.metadata.namespace ?? "")/\(sf.metadata.name ?? "")"
        activeDatacenter = sf.status?.activeDatacenter ?? sf.spec.primary
        phase = sf.status?.phase?.rawValue
        plannedActiveDatacenter = plan.status.activeDatacenter
        plannedPhase = plan.status.phase?.rawValue
        let move = plan.status.lastTransition
        transition = move.flatMap { $0 == sf.status?.lastTransition ? nil : "\($0.from ?? "none") → \($0.to) (\($0.reason))" }
        var scales: [Scale] = []
        var traffic: String?
        var events: [String] = []
        for effect in plan.effects {
            switch effect {
            case .scale(let datacenter, let replicas): scales.append(Scale(datacenter: datacenter, replicas: replicas))
            case .switchTraffic(let to): traffic = to
            case .event(let warning, let reason, let message): events.append("\(warning ? "Warning" : "Normal") \(reason): \(message)")
            }
        }
        self.scales = scales
        switchTrafficTo = traffic
        self.events = events
    }

    /// The input `planService` gets for `sf`: its persisted status, the Datacenters (with the
    /// assumptions applied: Unreachable since `unhealthyForSeconds` ago, or cordoned), and the
    /// replicas the status records per datacenter.
    static func input(_ sf: ServiceFailover, datacenters: [Datacenter], unreachable: Set<String>, cordoned: Set<String>, now: Date) -> ServiceInput {
        let recorded = Dictionary((sf.status?.datacenters ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = [sf.spec.primary] + sf.spec.failover.map(\.datacenter)
        var sites: [String: SiteHealth] = [:]
        for name in names {
            guard let dc = datacenters.first(where: { $0.metadata.name == name }) else { continue }
            var site = SiteHealth(dc, readyReplicas: recorded[name]?.readyReplicas)
            if cordoned.contains(name) { site.unschedulable = true }
            if unreachable.contains(name) {
                site.phase = .unreachable
                site.readySince = nil
                let waited = now.addingTimeInterval(-TimeInterval(sf.spec.effectivePolicy.effectiveUnhealthyForSeconds))
                site.unhealthySince = min(site.unhealthySince ?? waited, waited)
            }
            sites[name] = site
        }
        let desired = recorded.compactMapValues(\.desiredReplicas)
        let primaryReplicas = desired[sf.spec.primary].flatMap { $0 > 0 ? $0 : nil } ?? sf.spec.failover.first?.replicas ?? 1
        return ServiceInput(
            spec: sf.spec, status: sf.status, sites: sites, desiredReplicas: desired, primaryReplicas: primaryReplicas, now: now,
            generation: sf.metadata.generation)
    }

    /// The text form.
    var text: String {
        var lines = ["ServiceFailover \(service): active in \(activeDatacenter ?? "none")\(phase.map { " (\($0))" } ?? "")"]
        if plannedActiveDatacenter != activeDatacenter || plannedPhase != phase {
            lines.append("  would become \(plannedPhase ?? "?") with \(plannedActiveDatacenter ?? "none") active")
        }
        if let transition { lines.append("  would start \(transition)") }
        for s in scales { lines.append("  would scale the workload in \(s.datacenter) to \(s.replicas)") }
        if let switchTrafficTo { lines.append("  would switch traffic to \(switchTrafficTo)") }
        for e in events { lines.append("  would record \(e)") }
        if transition == nil && scales.isEmpty && switchTrafficTo == nil && events.isEmpty { lines.append("  would move nothing") }
        return lines.joined(separator: "\n")
    }
}
