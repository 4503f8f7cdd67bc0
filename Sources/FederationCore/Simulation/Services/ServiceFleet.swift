import FederationAPI
import Foundation

/// The ServiceFailovers of one schedule and the controller that runs them: each step it refreshes
/// its cache from the members the hub's probes reached, builds every service's ``ServiceInput``
/// from the hub's Datacenter statuses (the same probes and faults as the promotion part), asks the
/// real ``planService(_:)`` for the pass, runs the effects through the ``ServiceExecutor``, and
/// writes the status only after all of them succeeded.
///
/// Its randomness is a stream of its own (derived from the seed), so adding services leaves the
/// promotion part of every seed exactly as it was.
struct ServiceFleet: Sendable {
    var services: [SimulatedService]
    /// `spec.capacity.replicas` of each member (nil: unbounded), drawn from the seed.
    let capacities: [Int?]
    /// Federated replicas placed in each member by services outside the simulation.
    let background: [Int]
    var random: SimulationRandom
    var checker: ServiceChecker
    var counts = ServiceCounts()

    init(seed: UInt64, config: SimulationConfig, names: [String], trace: inout SimulationTrace) {
        var random = SimulationRandom(seed: seed ^ 0x5E4F_1CE5_F00D_CAFE)
        capacities = names.map { _ in random.chance(0.5) ? nil : random.int(in: 2...10) }
        background = capacities.map { $0 == nil ? 0 : random.int(in: 0...3) }
        services = (0..<config.services).map { SimulatedService.draw(index: $0, names: names, random: &random) }
        self.random = random
        checker = ServiceChecker(config: config, services: services, members: names.count)
        counts.services = services.count
        let capacity = names.indices.map { i in "\(names[i])=\(capacities[i].map { "\($0)-\(background[i])" } ?? "∞")" }
        trace.log(0, "service capacities (capacity-placed): \(capacity.joined(separator: ", "))")
        for service in services { trace.log(0, service.summary) }
    }

    /// One simulated second for every service; returns the first broken invariant.
    mutating func advance(
        step: Int, config: SimulationConfig, world: SimulatedWorld, hub: SimulatedHub, faulted: Set<Int>, rules: SimulationRules,
        trace: inout SimulationTrace
    ) -> Violation? {
        let now = hub.now(step)
        if step < config.healStep {
            if random.chance(config.operationRate * 2) { actAsAPerson(step, now: now, names: hub.names, trace: &trace) }
            if random.chance(config.faultRate / 3) { breakAWorkload(step, names: hub.names, trace: &trace) }
        }
        for s in services.indices {
            for name in services[s].workloads.keys.sorted() {
                let alive = hub.names.firstIndex(of: name).map { world.members[$0].alive } ?? false
                services[s].workloads[name]?.progress(step: step, alive: alive, random: &random)
            }
        }
        refreshCaches(hub: hub)
        checker.observe(step: step, now: now, hub: hub)
        for s in services.indices {
            if let violation = pass(s, step: step, now: now, world: world, hub: hub, rules: rules, trace: &trace) { return violation }
        }
        return checker.endOfStep(step: step, now: now, services: services, hub: hub, faulted: faulted, counts: &counts)
    }

    /// The controller's informers: a member whose probe succeeded this step is seen as it is;
    /// the others as last seen.
    mutating func refreshCaches(hub: SimulatedHub) {
        for (i, name) in hub.names.enumerated() where MemberView(name: name, spec: hub.specs[i], status: hub.statuses[i]).reachable {
            for s in services.indices {
                guard let workload = services[s].workloads[name] else { continue }
                services[s].seenDesired[name] = workload.desired
                services[s].seenReady[name] = workload.ready
            }
        }
    }

    /// A person asks for failback, or changes `spec.primary` (a planned migration; any member,
    /// cordoned ones included).
    mutating func actAsAPerson(_ step: Int, now: Date, names: [String], trace: inout SimulationTrace) {
        guard !services.isEmpty else { return }
        let s = random.int(in: 0...(services.count - 1))
        // The object as the person created it stands until the controller has written a status.
        guard services[s].status != nil else { return }
        if random.chance(0.5) {
            services[s].failbackRequestedAt = now
            counts.failbackRequests += 1
            trace.log(step, "person requests failback of \(services[s].name)")
            return
        }
        let choices = names.filter { $0 != services[s].spec.primary }
        guard !choices.isEmpty else { return }
        let primary = random.pick(choices)
        services[s].spec.primary = primary
        services[s].generation += 1
        counts.primaryChanges += 1
        trace.log(step, "person sets \(services[s].name) spec.primary = \(primary)")
    }

    /// A service's pods fail in one member for a while (half the time where it is active).
    mutating func breakAWorkload(_ step: Int, names: [String], trace: inout SimulationTrace) {
        guard !services.isEmpty else { return }
        let s = random.int(in: 0...(services.count - 1))
        let member = random.chance(0.5) ? services[s].active : random.pick(names)
        let until = step + random.int(in: 3...25)
        services[s].workloads[member, default: SimulatedWorkload()].brokenUntil = until
        counts.workloadFailures += 1
        trace.log(step, "fault \(services[s].name) pods fail in \(member) until t=\(until)")
    }
}
