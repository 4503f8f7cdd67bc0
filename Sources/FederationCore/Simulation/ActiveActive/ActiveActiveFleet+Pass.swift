import FederationAPI
import Foundation

extension ActiveActiveFleet {
    /// One pass of service `s`: read, plan, execute in order (stopping at the first failure),
    /// then write the status. The invariants look at the decision and after every applied effect.
    mutating func pass(
        _ s: Int, step: Int, now: Date, world: SimulatedWorld, hub: SimulatedHub, others: ServiceFleet, rules: SimulationRules,
        trace: inout SimulationTrace
    ) -> Violation? {
        let input = readInput(s, now: now, hub: hub, others: others)
        let plan = rules.activeActive(input)
        counts.activeActivePasses += 1
        if let violation = checker.decided(plan: plan, input: input, step: step, now: now, hub: hub, upSince: others.checker.upSince) {
            return violation
        }
        let executor = ServiceExecutor(step: step)
        var stopped = false
        for effect in plan.effects {
            let outcome = perform(effect, on: s, executor: executor, names: hub.names, world: world, trace: &trace)
            if outcome.applied, let violation = checker.applied(effect, plan: plan, input: input, step: step) { return violation }
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
        if stopped {
            counts.stoppedPasses += 1
            return nil
        }
        write(plan.status, to: s, step: step, trace: &trace)
        return nil
    }

    /// Runs one effect of an ActiveActive plan: a scale write through the simulated network (as for
    /// ActivePassive), or a route that rewrites the global EndpointSlices (failing now and then,
    /// sometimes after it landed).
    mutating func perform(
        _ effect: ServiceEffect, on s: Int, executor: ServiceExecutor, names: [String], world: SimulatedWorld, trace: inout SimulationTrace
    ) -> ServiceEffectOutcome {
        let name = services[s].name
        switch effect {
        case .scale(let datacenter, let replicas):
            return executor.scale(
                datacenter, to: replicas, workloads: &services[s].workloads, service: name, names: names, world: world, random: &random, trace: &trace)
        case .route(let datacenters):
            var outcome = ServiceEffectOutcome.succeeded
            if random.chance(ServiceExecutor.apiFailureRate) { outcome = random.chance(0.5) ? .failedButApplied : .failed }
            if outcome.applied, services[s].routed != datacenters {
                services[s].routed = datacenters
                trace.log(executor.step, "\(name): route to [\(datacenters.joined(separator: ","))] \(ServiceExecutor.describe(outcome))")
            }
            return outcome
        case .event(let warning, let reason, _):
            trace.log(executor.step, "\(name): event \(warning ? "Warning" : "Normal") \(reason)")
            return .succeeded
        case .switchTraffic(let datacenter):
            trace.log(executor.step, "\(name): switch traffic to \(datacenter) refused (an ActiveActive plan routes)")
            return .failed
        }
    }

    /// Writes the status and counts what it records.
    mutating func write(_ status: ServiceFailoverStatus, to s: Int, step: Int, trace: inout SimulationTrace) {
        let old = services[s].status
        services[s].status = status
        if let move = status.lastTransition, move.completedAt != nil, move != old?.lastTransition {
            counts.redistributions[move.reason, default: 0] += 1
        }
        let placement = ActiveActivePlanner.describe(Dictionary(
            status.datacenters.map { ($0.name, $0.desiredReplicas ?? 0) }, uniquingKeysWith: { a, _ in a }))
        let oldPlacement = old.map { ActiveActivePlanner.describe(Dictionary($0.datacenters.map { ($0.name, $0.desiredReplicas ?? 0) }, uniquingKeysWith: { a, _ in a })) }
        if status.phase != old?.phase || placement != oldPlacement {
            if status.phase == .degraded { counts.shortfalls += 1 }
            let unplaced = status.unplacedReplicas.map { ", \($0) unplaced" } ?? ""
            trace.log(step, "\(services[s].name): \(status.phase?.rawValue ?? "-") \(placement.isEmpty ? "nothing placed" : placement)\(unplaced)")
        }
    }
}
