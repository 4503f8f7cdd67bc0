import FederationAPI
import Foundation

/// How one service effect fared.
enum ServiceEffectOutcome: Hashable, Sendable {
    /// It landed and the controller saw it succeed.
    case succeeded
    /// The controller saw it fail, but it landed (the response was lost or came too late).
    case failedButApplied
    /// It failed and did not land.
    case failed

    var applied: Bool { self != .failed }
}

/// Executes a ``ServicePlan``'s effects against the simulated members, as the ServiceFailover
/// controller does against real clusters: the effects in order, stopping at the first failure; the
/// status is written only after all of them succeeded.
///
/// - A scale write travels to its member through the simulated network (refused while the member
///   is down or cut off, lost, or answered too late although it applied), and the member's API may
///   refuse it (a 409 or a 500).
/// - A traffic switch rewrites the `<service>-global` Service and EndpointSlices in the reachable
///   members; it may fail, sometimes after some of them changed (traffic moved anyway).
/// - An event goes to the trace.
struct ServiceExecutor {
    let step: Int
    /// The chance that the members' API refuses a write that arrived.
    static let apiFailureRate = 0.03
    /// The chance that the controller stops after its effects, before writing the status.
    static let lostStatusWriteRate = 0.02

    /// Runs one effect against `service` in the simulated world.
    func perform(
        _ effect: ServiceEffect, on service: inout SimulatedService, names: [String], world: SimulatedWorld,
        random: inout SimulationRandom, trace: inout SimulationTrace
    ) -> ServiceEffectOutcome {
        switch effect {
        case .scale(let datacenter, let replicas):
            return scale(
                datacenter, to: replicas, workloads: &service.workloads, service: service.name, names: names, world: world, random: &random, trace: &trace)
        case .switchTraffic(let datacenter):
            var outcome = ServiceEffectOutcome.succeeded
            if random.chance(Self.apiFailureRate) { outcome = random.chance(0.5) ? .failedButApplied : .failed }
            if outcome.applied { service.traffic = datacenter }
            trace.log(step, "\(service.name): switch traffic to \(datacenter) \(Self.describe(outcome))")
            return outcome
        case .event(let warning, let reason, _):
            trace.log(step, "\(service.name): event \(warning ? "Warning" : "Normal") \(reason)")
            return .succeeded
        case .route(let datacenters):
            // ActivePassive plans never route (ActiveActive services run through ActiveActiveExecutor).
            trace.log(step, "\(service.name): route to \(datacenters.joined(separator: ", ")) ignored")
            return .succeeded
        }
    }

    /// Sends a scale write to `datacenter`'s member through the simulated network; where it lands,
    /// the workload there is scaled.
    func scale(
        _ datacenter: String, to replicas: Int, workloads: inout [String: SimulatedWorkload], service: String, names: [String], world: SimulatedWorld,
        random: inout SimulationRandom, trace: inout SimulationTrace
    ) -> ServiceEffectOutcome {
        let what = "\(service): scale \(datacenter) to \(replicas)"
        guard let i = names.firstIndex(of: datacenter) else {
            trace.log(step, "\(what) failed: no such member")
            return .failed
        }
        let outcome: ServiceEffectOutcome
        switch world.send(to: i, step: step, random: &random) {
        case .delivered: outcome = random.chance(Self.apiFailureRate) ? .failed : .succeeded
        case .unreachable, .requestLost: outcome = .failed
        case .responseLost, .late: outcome = .failedButApplied
        }
        if outcome.applied { workloads[datacenter, default: SimulatedWorkload()].scale(to: replicas) }
        trace.log(step, "\(what) \(Self.describe(outcome))")
        return outcome
    }

    static func describe(_ outcome: ServiceEffectOutcome) -> String {
        switch outcome {
        case .succeeded: "ok"
        case .failedButApplied: "timed out (applied)"
        case .failed: "failed"
        }
    }
}
