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
    /// ActiveActive: the datacenters the global Service would route to.
    var routeTo: [String]?
    /// ActiveActive: the division now and after the pass (`eu-central=3,us-east=6`), instead of an active datacenter.
    var placement: String?
    var plannedPlacement: String?
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
        var routes: [String]?
        var events: [String] = []
        for effect in plan.effects {
            switch effect {
            case .scale(let datacenter, let replicas): scales.append(Scale(datacenter: datacenter, replicas: replicas))
            case .switchTraffic(let to): traffic = to
            case .event(let warning, let reason, let message): events.append("\(warning ? "Warning" : "Normal") \(reason): \(message)")
            case .route(let to): routes = to
            }
        }
        self.scales = scales
        switchTrafficTo = traffic
        routeTo = routes
        self.events = events
        if sf.spec.effectiveMode == .activeActive {
            activeDatacenter = nil
            plannedActiveDatacenter = nil
            placement = Self.division(sf.status?.datacenters ?? [])
            plannedPlacement = Self.division(plan.status.datacenters)
        }
    }

    /// The datacenters with a share, `name=replicas` in name order (`none` without any).
    static func division(_ datacenters: [ServiceDatacenterStatus]) -> String {
        let shares = datacenters.filter { ($0.desiredReplicas ?? 0) > 0 }.sorted { $0.name < $1.name }
        return shares.isEmpty ? "none" : shares.map { "\($0.name)=\($0.desiredReplicas ?? 0)" }.joined(separator: ",")
    }

    /// The input `planService` gets for `sf`: its persisted status, the Datacenters (with the
    /// assumptions applied: Unreachable since `unhealthyForSeconds` ago, or cordoned), and the
    /// replicas the status records per datacenter, and what the ServiceFailovers in `others` place
    /// in each (counted against its capacity, as the controller counts).
    static func input(
        _ sf: ServiceFailover, datacenters: [Datacenter], unreachable: Set<String>, cordoned: Set<String>, now: Date, others: [ServiceFailover] = []
    ) -> ServiceInput {
        let recorded = Dictionary((sf.status?.datacenters ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = [sf.spec.primary] + sf.spec.failover.map(\.datacenter)
        var sites: [String: SiteHealth] = [:]
        for name in names {
            guard let dc = datacenters.first(where: { $0.metadata.name == name }) else { continue }
            sites[name] = assumedSite(
                dc, sf, readyReplicas: recorded[name]?.readyReplicas, unreachable: unreachable.contains(name), cordoned: cordoned.contains(name), now: now,
                others: others)
        }
        let desired = recorded.compactMapValues(\.desiredReplicas)
        let primaryReplicas = sf.status?.primaryReplicas ?? desired[sf.spec.primary].flatMap { $0 > 0 ? $0 : nil } ?? sf.spec.failover.first?.replicas ?? 1
        return ServiceInput(
            spec: sf.spec, status: sf.status, sites: sites, desiredReplicas: desired, primaryReplicas: primaryReplicas, now: now,
            generation: sf.metadata.generation)
    }

    /// `dc`'s health as the planner sees it, with the assumptions applied: cordoned, or Unreachable
    /// since `unhealthyForSeconds` ago (so the plan acts on it now); the replicas the ServiceFailovers
    /// in `others` place there count against its capacity.
    static func assumedSite(
        _ dc: Datacenter, _ sf: ServiceFailover, readyReplicas: Int?, unreachable: Bool, cordoned: Bool, now: Date, others: [ServiceFailover]
    ) -> SiteHealth {
        let placed = dc.metadata.name.map { ServiceFailover.placedReplicas(in: $0, byOthersThan: sf, among: others) } ?? 0
        var site = SiteHealth(dc, readyReplicas: readyReplicas, placedReplicas: placed)
        if cordoned { site.unschedulable = true }
        if unreachable {
            site.phase = .unreachable
            site.readySince = nil
            let waited = now.addingTimeInterval(-TimeInterval(sf.spec.effectivePolicy.effectiveUnhealthyForSeconds))
            site.unhealthySince = min(site.unhealthySince ?? waited, waited)
        }
        return site
    }

    /// The input `planActiveActive` gets for an ActiveActive `sf`, with the assumptions applied
    /// as for ``input(_:datacenters:unreachable:cordoned:now:others:)``.
    static func activeActiveInput(
        _ sf: ServiceFailover, datacenters: [Datacenter], unreachable: Set<String>, cordoned: Set<String>, now: Date, others: [ServiceFailover] = []
    ) -> ActiveActiveInput {
        let recorded = Dictionary((sf.status?.datacenters ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let selector = sf.spec.placement?.datacenterSelector
        var sites: [String: SiteHealth] = [:]
        var selected: Set<String> = []
        for dc in datacenters {
            guard let name = dc.metadata.name else { continue }
            if selector?.matches(dc.metadata.labels) ?? true { selected.insert(name) }
            sites[name] = assumedSite(
                dc, sf, readyReplicas: recorded[name]?.readyReplicas, unreachable: unreachable.contains(name), cordoned: cordoned.contains(name), now: now,
                others: others)
        }
        return ActiveActiveInput(
            spec: sf.spec, status: sf.status, sites: sites, selected: selected, desiredReplicas: recorded.compactMapValues(\.desiredReplicas), now: now,
            generation: sf.metadata.generation)
    }

    /// The report of `sf`'s next pass under the assumptions, by the planning function of its mode;
    /// `others` (every ServiceFailover, `sf` among them or not) take their share of each capacity.
    static func plan(
        _ sf: ServiceFailover, datacenters: [Datacenter], unreachable: Set<String>, cordoned: Set<String>, now: Date, others: [ServiceFailover] = []
    ) -> ServicePlanReport {
        if sf.spec.effectiveMode == .activeActive {
            return ServicePlanReport(
                sf, plan: planActiveActive(activeActiveInput(sf, datacenters: datacenters, unreachable: unreachable, cordoned: cordoned, now: now, others: others)))
        }
        return ServicePlanReport(sf, plan: planService(input(sf, datacenters: datacenters, unreachable: unreachable, cordoned: cordoned, now: now, others: others)))
    }

    /// The text form.
    var text: String {
        var lines: [String]
        if let placement {
            lines = ["ServiceFailover \(service): placed \(placement)\(phase.map { " (\($0))" } ?? "")"]
            if plannedPlacement != placement || plannedPhase != phase {
                lines.append("  would become \(plannedPhase ?? "?") placed \(plannedPlacement ?? "none")")
            }
        } else {
            lines = ["ServiceFailover \(service): active in \(activeDatacenter ?? "none")\(phase.map { " (\($0))" } ?? "")"]
            if plannedActiveDatacenter != activeDatacenter || plannedPhase != phase {
                lines.append("  would become \(plannedPhase ?? "?") with \(plannedActiveDatacenter ?? "none") active")
            }
        }
        if let transition { lines.append("  would start \(transition)") }
        for s in scales { lines.append("  would scale the workload in \(s.datacenter) to \(s.replicas)") }
        if let switchTrafficTo { lines.append("  would switch traffic to \(switchTrafficTo)") }
        if let routeTo, routeTo != (activeDatacenter.map { [$0] }), placement == nil || plannedPlacement != placement { lines.append("  would route the global Service to \(routeTo.joined(separator: ", "))") }
        for e in events { lines.append("  would record \(e)") }
        if transition == nil && scales.isEmpty && switchTrafficTo == nil && events.isEmpty { lines.append("  would move nothing") }
        return lines.joined(separator: "\n")
    }
}
