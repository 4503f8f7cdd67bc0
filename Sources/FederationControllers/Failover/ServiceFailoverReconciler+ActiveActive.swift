import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension ServiceFailoverReconciler {
    /// The Datacenters an ActiveActive placement selects (not being deleted), by name.
    func selected(_ sf: ServiceFailover) -> Set<String> {
        let selector = sf.spec.placement?.datacenterSelector
        return Set(datacenterCache.list().filter { dc in
            dc.metadata.deletionTimestamp == nil && (selector?.matches(dc.metadata.labels) ?? true)
        }.compactMap(\.metadata.name))
    }

    /// The other ActiveActive services whose selector selects a datacenter `sf` lists or moves from
    /// (``FederationCore/ServiceFailover/placementDatacenters``): their room there changes with `sf`'s placement.
    static func sharingCapacity(with sf: ServiceFailover, in cache: InformerCache<ServiceFailover>, datacenters: InformerCache<Datacenter>) -> [ObjectKey] {
        guard sf.spec.effectiveMode == .activeActive else { return [] }
        let touched = sf.placementDatacenters
        guard !touched.isEmpty else { return [] }
        let labels = datacenters.list().filter { touched.contains($0.metadata.name ?? "") }.map(\.metadata.labels)
        return cache.list().filter { other in
            other.spec.effectiveMode == .activeActive && (other.metadata.name != sf.metadata.name || other.metadata.namespace != sf.metadata.namespace)
                && labels.contains { other.spec.placement?.datacenterSelector?.matches($0) ?? true }
        }.map { cache.key(of: $0) }
    }

    /// The datacenters an ActiveActive pass reads with the workload: the primary (the template),
    /// the selected ones, and every one status lists: those the service still runs in, including one
    /// no longer selected whose share the last pass set to 0 but whose copy waits to scale down once
    /// the others are ready (status keeps listing it until its copy runs none).
    func placementSites(_ sf: ServiceFailover) -> Set<String> {
        Set([sf.spec.primary]).union(selected(sf)).union(sf.status?.datacenters.map(\.name) ?? [])
    }

    /// Spec checks that only ActiveActive makes: a total, no failover list, a selector kube-apiserver
    /// would accept, weights naming known datacenters, a selector that selects some Datacenter, a weight
    /// above 0 for one of them (unless `replicas` is 0), and no more `minDatacenters` than it selects.
    func validateActiveActive(_ sf: ServiceFailover) -> ServiceBlocker? {
        func invalid(_ message: String) -> ServiceBlocker { ServiceBlocker(reason: Reason.invalidSpec, message: message, terminal: true) }
        let spec = sf.spec
        if let problem = spec.modeProblems.first { return invalid(problem.message) }
        if !spec.selectorProblems.isEmpty { return invalid(LabelSelector.invalidMessage(spec.selectorProblems)) }
        guard datacenterCache.get(name: spec.primary) != nil else { return invalid("spec.primary names Datacenter \(spec.primary), which does not exist.") }
        for (index, weight) in (spec.placement?.weights ?? []).enumerated() where datacenterCache.get(name: weight.datacenter) == nil {
            return invalid("spec.placement.weights[\(index)].datacenter names Datacenter \(weight.datacenter), which does not exist.")
        }
        // Only what the spec itself decides is an error here. Datacenters cordoned or lost leave fewer
        // candidates than minDatacenters for a while: the division then spreads over those left and
        // reports the shortfall (Degraded), and keeps following losses and returns meanwhile.
        let chosen = selected(sf)
        let selectedCount = chosen.count
        if selectedCount == 0 {
            return invalid("spec.placement.datacenterSelector selects no Datacenter: label the Datacenters to run the service in, or change the selector.")
        }
        // Weight 0 everywhere would scale every copy to 0 at once: an outage, not a placement.
        if (spec.replicas ?? 0) > 0, let placement = spec.placement, chosen.allSatisfy({ placement.weight(of: $0) == 0 }) {
            return invalid(
                "spec.placement.weights gives every selected Datacenter (\(chosen.sorted().joined(separator: ", "))) weight 0, so no replica could run anywhere: "
                    + "give at least one a weight above 0, or set spec.replicas to 0 to stop the service.")
        }
        let minimum = spec.placement?.effectiveMinDatacenters ?? 1
        if minimum > selectedCount {
            return invalid(
                "spec.placement.minDatacenters is \(minimum), but spec.placement.datacenterSelector selects only \(selectedCount) Datacenters: "
                    + "lower minDatacenters, or label more Datacenters to match the selector.")
        }
        return nil
    }

    /// One ActiveActive pass: copies in every placed datacenter, the division's scale steps, routes, status.
    /// `created`: datacenters whose copy this pass created (the read predates it).
    func reconcileActiveActive(_ sf: ServiceFailover, read: ServiceRead, created: [String], executor: ServiceEffectExecutor) async throws -> ReconcileResult {
        // A selected member whose caches are still loading would be left out of the division: wait
        // for it. A generation not planned yet says so in its conditions; a settled one keeps its status.
        let loading = read.syncing.filter { read.sites[$0] != nil }.sorted()
        if !loading.isEmpty {
            guard sf.status?.observedGeneration != sf.metadata.generation else { return .requeue(after: .seconds(1)) }
            return try await blocked(sf, ServiceBlocker(
                reason: Reason.waitingForMembers,
                message: "Reading the workload, Service and EndpointSlices of \(loading.joined(separator: ", ")) before dividing the replicas.", terminal: false))
        }
        // Templates come from spec.primary only: a primary holding a copy Concord made (spec.primary
        // moved to another datacenter) would leave every copy's template unmanaged, silently.
        if read.templateSource(sf.spec) == nil, let primary = read.sites[sf.spec.primary], primary.reachable,
            let workload = primary.workload, StandbyCopy.isCopy(workload)
        {
            let defined = read.sites.values.filter { $0.reachable && $0.workload.map { !StandbyCopy.isCopy($0) } == true }.map(\.name).sorted()
            let fix = defined.isEmpty ? "set spec.primary to the datacenter where it is defined" : "set spec.primary back to \(defined.joined(separator: " or "))"
            return try await blocked(sf, ServiceBlocker(
                reason: Reason.invalidSpec,
                message: "spec.primary is \(sf.spec.primary), whose copy of the workload Concord made; the template of every copy comes from spec.primary, "
                    + "where the workload is defined: \(fix), and change the template there.",
                terminal: true))
        }
        var sites: [String: SiteHealth] = [:]
        var desired: [String: Int] = [:]
        for (name, view) in read.sites {
            var site = SiteHealth(view.datacenter, readyReplicas: view.readyReplicas, placedReplicas: placedReplicas(in: name, excluding: sf))
            site.hasWorkload = view.workload != nil || created.contains(name) || !view.reachable
            site.statusCurrent = view.statusCurrent
            sites[name] = site
            if view.reachable, let workload = view.workload { desired[name] = StandbyCopy.replicas(of: workload) }
        }
        let input = ActiveActiveInput(
            spec: sf.spec, status: sf.status, sites: sites, selected: selected(sf), desiredReplicas: desired,
            rebalanceRequested: requested(PromotionAnnotation.rebalanceRequestedAt, sf), now: now(), generation: sf.metadata.generation)
        let plan = planActiveActive(input)
        for effect in plan.effects {
            do {
                switch effect {
                case .route(let datacenters):
                    report(await executor.routeActive(sf, to: datacenters, read: read).failures, sf)
                default:
                    try await perform(effect, sf: sf, read: read, executor: executor)
                }
            } catch {
                report(["": "\(describe(effect)) failed: \(error)"], sf)
                throw error
            }
        }
        var status = plan.status
        for index in status.datacenters.indices {
            if let view = read.sites[status.datacenters[index].name], view.reachable {
                status.datacenters[index].endpoints = GlobalService.addresses(of: view.slices)
            }
        }
        try await writeStatus(status, of: sf)
        recordMetrics(status, sf)
        let after = plan.requeueAfter.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
        let syncing = read.syncing.isEmpty ? nil : Duration.seconds(1)
        return .requeue(after: [after, syncing, Self.resync].compactMap { $0 }.min() ?? Self.resync)
    }

    /// A person asked through `annotation`: it holds a time at or after the start of the last move
    /// (any time when nothing moved yet).
    func requested(_ annotation: String, _ sf: ServiceFailover) -> Bool {
        guard let value = sf.metadata.annotations?[annotation], let asked = KubeTime(rfc3339: value)?.date else { return false }
        guard let last = sf.status?.lastTransition else { return true }
        return asked >= last.startedAt.date
    }
}
