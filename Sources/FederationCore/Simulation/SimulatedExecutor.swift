import FederationAPI
import Foundation

/// Executes a ``PolicyPlan`` against the simulated world, as the controller's executor does
/// against real clusters: the effects in order, stopping at the first failed write.
///
/// - The status write lands in the hub's policy (the hub's own API never fails here).
/// - A marker write travels through the simulated network: it may be refused (the member is down
///   or cut off), lost, answered too late (the hub sees a failure, the write may still apply), or
///   rejected with 409 by the member's optimistic concurrency.
/// - A role write lands in the hub's copy of the Datacenter's status, which the next pass reads.
/// - An event goes to the trace.
///
/// An injected ``ExecutionRule`` may run the effects in another order: that is how the simulation
/// shows that the invariants catch a broken executor.
struct SimulatedExecutor {
    let step: Int
    let rule: ExecutionRule

    /// Runs the effects in the rule's order (the plan's, unless a bug is injected) and stops at the
    /// first that fails.
    func execute(
        _ plan: PolicyPlan, hub: inout SimulatedHub, world: inout SimulatedWorld, random: inout SimulationRandom, trace: inout SimulationTrace
    ) -> PolicyOutcome {
        for effect in rule.order(plan.effects) {
            guard perform(effect, hub: &hub, world: &world, random: &random, trace: &trace) else { return .stopped(at: effect) }
        }
        return .completed
    }

    /// Runs one effect; true when the hub saw it succeed.
    func perform(
        _ effect: PolicyEffect, hub: inout SimulatedHub, world: inout SimulatedWorld, random: inout SimulationRandom, trace: inout SimulationTrace
    ) -> Bool {
        switch effect {
        case .writeStatus(let status):
            hub.policy.status = status
            return true
        case .writeMarker(let write):
            guard let i = hub.names.firstIndex(of: write.datacenter) else { return false }
            return send(write, to: i, world: &world, random: &random, trace: &trace)
        case .setRole(let datacenter, let role):
            guard let i = hub.names.firstIndex(of: datacenter), hub.statuses[i] != nil else { return false }
            hub.statuses[i]?.role = role
            trace.log(step, "role \(datacenter) := \(role.rawValue)")
            return true
        case .record(let event):
            trace.log(step, "event \(event.type) \(event.reason) \(event.regarding.kind ?? "") \(event.regarding.name ?? "")")
            return true
        }
    }

    /// Sends one marker write to member `i`; true when the hub saw it succeed.
    func send(_ write: MarkerWrite, to i: Int, world: inout SimulatedWorld, random: inout SimulationRandom, trace: inout SimulationTrace) -> Bool {
        let what = "write \(write.datacenter) := \(write.marker.primary)@\(write.marker.epoch)"
        switch world.send(to: i, step: step, random: &random) {
        case .delivered:
            let applied = world.apply(write, to: i)
            trace.log(step, "\(what) \(applied ? "ok" : "rejected: 409")")
            return applied
        case .unreachable:
            trace.log(step, "\(what) failed: unreachable")
        case .requestLost:
            trace.log(step, "\(what) failed: request lost")
        case .responseLost:
            let applied = world.apply(write, to: i)
            trace.log(step, "\(what) timed out (response lost; \(applied ? "applied" : "409"))")
        case .late(let arrivesAt):
            world.inFlight.append(InFlightWrite(member: i, write: write, arrivesAt: arrivesAt))
            trace.log(step, "\(what) timed out (arrives at t=\(arrivesAt))")
        }
        return false
    }
}
