import FederationAPI
import Foundation

extension ServiceFleet {
    /// What the controller reads for service `s`: every member's Datacenter (spec with the drawn
    /// capacity, status as the hub stored it), the workload as its cache shows it, the federated
    /// replicas the other services placed there, and its own persisted status.
    func readInput(_ s: Int, now: Date, hub: SimulatedHub) -> ServiceInput {
        let service = services[s]
        let unavailableSince = ServiceFailover.unavailableSince(service.status, spec: service.spec)
        var sites: [String: SiteHealth] = [:]
        for (i, name) in hub.names.enumerated() {
            var spec = hub.specs[i]
            spec.capacity = capacities[i].map(DatacenterCapacity.init(replicas:))
            let placed = background[i] + services.indices.filter { $0 != s }.reduce(0) { $0 + (services[$1].seenDesired[name] ?? 0) }
            sites[name] = SiteHealth(
                Datacenter(metadata: ObjectMeta(name: name), spec: spec, status: hub.statuses[i]), readyReplicas: service.seenReady[name],
                unavailableSince: name == service.active ? unavailableSince : nil, placedReplicas: placed)
        }
        let requested = service.failbackRequestedAt.map { asked in
            service.status?.lastTransition.map { asked > $0.startedAt.date } ?? true
        } ?? false
        return ServiceInput(
            spec: service.spec, status: service.status, sites: sites, desiredReplicas: service.seenDesired,
            primaryReplicas: service.primaryReplicas, failbackRequested: requested, now: now, generation: service.generation)
    }

    /// One pass of service `s`: read, plan, execute in order (stopping at the first failure),
    /// then write the status. The invariants look at the decision and after every applied effect.
    mutating func pass(
        _ s: Int, step: Int, now: Date, world: SimulatedWorld, hub: SimulatedHub, rules: SimulationRules, trace: inout SimulationTrace
    ) -> Violation? {
        let input = readInput(s, now: now, hub: hub)
        let plan = rules.service(input)
        counts.passes += 1
        if let violation = checker.decided(s, plan: plan, input: input, step: step, now: now, hub: hub) { return violation }
        let executor = ServiceExecutor(step: step)
        var stopped = false
        for effect in rules.serviceExecution.order(plan.effects) {
            let before = services[s].traffic
            let outcome = executor.perform(effect, on: &services[s], names: hub.names, world: world, random: &random, trace: &trace)
            if outcome.applied,
                let violation = checker.applied(effect, s, trafficBefore: before, service: services[s], input: input, step: step)
            {
                return violation
            }
            if outcome != .succeeded {
                counts.failedEffects += 1
                stopped = true
                break
            }
        }
        if !stopped, random.chance(ServiceExecutor.lostStatusWriteRate) {
            counts.lostStatusWrites += 1
            trace.log(step, "\(services[s].name): controller stopped before writing the status")
            stopped = true
        }
        checker.passEnded(s, stopped: stopped)
        if stopped {
            counts.stoppedPasses += 1
            return nil
        }
        write(plan.status, to: s, step: step, trace: &trace)
        return nil
    }

    /// Writes the status and counts what it records.
    mutating func write(_ status: ServiceFailoverStatus, to s: Int, step: Int, trace: inout SimulationTrace) {
        let old = services[s].status
        services[s].status = status
        if let move = status.lastTransition, let done = move.completedAt, move != old?.lastTransition {
            counts.transitions[move.reason, default: 0] += 1
            let duration = done.date.timeIntervalSince(move.startedAt.date)
            counts.longestTransition = max(counts.longestTransition, duration)
        }
        if status.phase != old?.phase || status.activeDatacenter != old?.activeDatacenter {
            if status.phase == .blocked { counts.blocked += 1 }
            if status.phase == .degraded { counts.degraded += 1 }
            let move = status.lastTransition.map { " (\($0.reason) \($0.from ?? "-")→\($0.to)\($0.completedAt == nil ? ", in flight" : ""))" } ?? ""
            trace.log(step, "\(services[s].name): \(status.phase?.rawValue ?? "-") in \(status.activeDatacenter ?? "-")\(move)")
        }
    }
}
