import FederationAPI
import Foundation

/// The ActiveActive ServiceFailovers of one schedule and the controller that runs them: each step
/// it refreshes its cache from the members the hub's probes reached, builds every service's
/// ``ActiveActiveInput`` from the hub's Datacenter statuses and the members' capacities (room
/// left by the background load, the ActivePassive services and the other ActiveActive ones), asks
/// the real ``planActiveActive(_:)`` for the pass, runs the effects through the
/// ``ActiveActiveExecutor``, and writes the status only after all of them succeeded.
///
/// Its randomness is a stream of its own, and the ActivePassive services do not count its
/// replicas against capacity, so adding ActiveActive services leaves every other part of a seed
/// exactly as it was.
struct ActiveActiveFleet: Sendable {
    var services: [SimulatedActiveActive]
    var random: SimulationRandom
    var checker: ActiveActiveChecker
    var counts = ServiceCounts()

    init(seed: UInt64, config: SimulationConfig, names: [String], trace: inout SimulationTrace) {
        var random = SimulationRandom(seed: seed ^ 0xAC71_FEAC_71FE_0A0A)
        services = (0..<config.activeActive).map { SimulatedActiveActive.draw(index: $0, names: names, random: &random) }
        self.random = random
        checker = ActiveActiveChecker(config: config, services: services.count, sharesChecks: config.services == 0)
        counts.activeActive = services.count
        for service in services { trace.log(0, service.summary) }
    }

    /// One simulated second for every ActiveActive service; returns the first broken invariant.
    mutating func advance(
        step: Int, config: SimulationConfig, world: SimulatedWorld, hub: SimulatedHub, others: ServiceFleet, rules: SimulationRules,
        trace: inout SimulationTrace
    ) -> Violation? {
        guard !services.isEmpty else { return nil }
        let now = hub.now(step)
        if step < config.healStep {
            if random.chance(config.operationRate * 2) { actAsAPerson(step, now: now, trace: &trace) }
            if random.chance(config.faultRate / 3) { breakAWorkload(step, trace: &trace) }
        }
        for s in services.indices {
            for name in services[s].workloads.keys.sorted() {
                let alive = hub.names.firstIndex(of: name).map { world.members[$0].alive } ?? false
                services[s].workloads[name]?.progress(step: step, alive: alive, random: &random)
            }
        }
        for (i, name) in hub.names.enumerated() where MemberView(name: name, spec: hub.specs[i], status: hub.statuses[i]).reachable {
            for s in services.indices {
                guard let workload = services[s].workloads[name] else { continue }
                services[s].seenDesired[name] = workload.desired
                services[s].seenReady[name] = workload.ready
            }
        }
        for s in services.indices {
            if let violation = pass(s, step: step, now: now, world: world, hub: hub, others: others, rules: rules, trace: &trace) { return violation }
        }
        return checker.endOfStep(step: step, services: services, counts: &counts)
    }

    /// What the controller reads for service `s`: the Datacenters it places in or may place in
    /// (spec with the drawn capacity, status as the hub stored it), the federated replicas every
    /// other service placed there, its workload as the cache shows it, and its persisted status.
    func readInput(_ s: Int, now: Date, hub: SimulatedHub, others: ServiceFleet) -> ActiveActiveInput {
        let service = services[s]
        let placedNow = service.status?.datacenters.filter { ($0.desiredReplicas ?? 0) > 0 }.map(\.name) ?? []
        let involved = Set([service.spec.primary]).union(service.selected).union(placedNow)
        var sites: [String: SiteHealth] = [:]
        var desired: [String: Int] = [:]
        for (i, name) in hub.names.enumerated() where involved.contains(name) {
            var spec = hub.specs[i]
            spec.capacity = others.capacities[i].map(DatacenterCapacity.init(replicas:))
            let passive = others.services.reduce(0) { $0 + ($1.seenDesired[name] ?? 0) }
            let active = services.indices.filter { $0 != s }.reduce(0) { $0 + (services[$1].seenDesired[name] ?? 0) }
            let reachable = MemberView(name: name, spec: hub.specs[i], status: hub.statuses[i]).reachable
            var site = SiteHealth(
                Datacenter(metadata: ObjectMeta(name: name), spec: spec, status: hub.statuses[i]), readyReplicas: service.seenReady[name],
                placedReplicas: others.background[i] + passive + active)
            site.hasWorkload = service.workloads[name] != nil || !reachable
            sites[name] = site
            if reachable, let replicas = service.seenDesired[name] { desired[name] = replicas }
        }
        return ActiveActiveInput(
            spec: service.spec, status: service.status, sites: sites, selected: service.selected, desiredReplicas: desired,
            rebalanceRequested: Self.requested(service.rebalanceRequestedAt, service.status), now: now, generation: service.generation)
    }

    /// A rebalance request counts until a redistribution starts after it.
    static func requested(_ asked: Date?, _ status: ServiceFailoverStatus?) -> Bool {
        guard let asked else { return false }
        guard let last = status?.lastTransition else { return true }
        return asked >= last.startedAt.date
    }

    /// A person asks for a rebalance, changes the total, or changes a weight.
    mutating func actAsAPerson(_ step: Int, now: Date, trace: inout SimulationTrace) {
        let s = random.int(in: 0...(services.count - 1))
        guard services[s].status != nil else { return }
        let name = services[s].name
        switch random.int(in: 0...2) {
        case 0:
            services[s].rebalanceRequestedAt = now
            counts.rebalanceRequests += 1
            trace.log(step, "person requests a rebalance of \(name)")
        case 1:
            let replicas = random.int(in: 2...10)
            services[s].spec.replicas = replicas
            services[s].generation += 1
            counts.placementChanges += 1
            trace.log(step, "person sets \(name) spec.replicas = \(replicas)")
        default:
            guard var weights = services[s].spec.placement?.weights, !weights.isEmpty else { return }
            let i = random.int(in: 0...(weights.count - 1))
            weights[i].weight = random.pick([0, 1, 2, 3])
            services[s].spec.placement?.weights = weights
            services[s].generation += 1
            counts.placementChanges += 1
            trace.log(step, "person sets \(name) weight of \(weights[i].datacenter) = \(weights[i].weight)")
        }
    }

    /// A service's pods fail in one of its members for a while.
    mutating func breakAWorkload(_ step: Int, trace: inout SimulationTrace) {
        let s = random.int(in: 0...(services.count - 1))
        let member = random.pick(services[s].selected.sorted())
        let until = step + random.int(in: 3...25)
        services[s].workloads[member]?.brokenUntil = until
        counts.workloadFailures += 1
        trace.log(step, "fault \(services[s].name) pods fail in \(member) until t=\(until)")
    }
}
