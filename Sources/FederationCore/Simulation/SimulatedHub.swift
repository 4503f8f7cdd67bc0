import FederationAPI
import Foundation

/// The hub controller as the simulation runs it: each step it probes every member through the
/// simulated network and runs the real health decision, reads the markers of the members the
/// probes reached (``PolicyPlan/markerReads(among:)``, as the reconciler does), asks the real
/// ``planPolicy(policy:members:markers:now:promotion:fencing:)`` for the plan, and hands the plan to
/// the ``SimulatedExecutor``.
struct SimulatedHub: Sendable {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    var policy: FederationPolicy
    let names: [String]
    let specs: [DatacenterSpec]
    /// The Datacenters' statuses as the hub stores them: health from the probes, role from the plans.
    var statuses: [DatacenterStatus?]
    /// The hub clock's error (clock steps move it).
    var clockOffset: TimeInterval = 0
    var lastDecision: PromotionDecision?

    init(federation: SimulatedFederation) {
        policy = federation.policy
        names = federation.names
        specs = federation.specs
        statuses = Array(repeating: nil, count: federation.names.count)
    }

    func now(_ step: Int) -> Date { Self.start.addingTimeInterval(TimeInterval(step) + clockOffset) }

    /// What one pass decided and whether it raised the epoch in the policy.
    struct Pass {
        var decision: PromotionDecision
        var raised: Bool
    }

    /// One reconcile pass at `step`: read, plan, execute.
    mutating func reconcile(
        step: Int, world: inout SimulatedWorld, random: inout SimulationRandom, rules: SimulationRules, trace: inout SimulationTrace
    ) -> Pass {
        let now = now(step)
        let views = probe(step: step, now: now, world: world, random: &random, trace: &trace)
        var markers: [MemberMarker] = []
        for name in PolicyPlan.markerReads(among: views) {
            guard let i = names.firstIndex(of: name) else { continue }
            if world.send(to: i, step: step, random: &random).succeeded { markers.append(world.members[i].observed) }
        }

        let plan = planPolicy(policy: policy, members: views, markers: markers, now: now, promotion: rules.promotion, fencing: rules.fencing)
        if plan.decision != lastDecision { trace.log(step, "hub decides: \(Self.describe(plan.decision))") }
        lastDecision = plan.decision
        let executor = SimulatedExecutor(step: step, rule: rules.execution)
        if case .stopped = executor.execute(plan, hub: &self, world: &world, random: &random, trace: &trace) {
            trace.log(step, "pass stopped at the failed write; the next pass reads and plans again")
        }
        // The epoch is raised once the plan's status is written.
        return Pass(decision: plan.decision, raised: plan.decision.raisedEpoch != nil && policy.status == plan.status)
    }

    /// Probes every member through the simulated network and runs the real health decision.
    mutating func probe(step: Int, now: Date, world: SimulatedWorld, random: inout SimulationRandom, trace: inout SimulationTrace) -> [MemberView] {
        var views: [MemberView] = []
        views.reserveCapacity(names.count)
        for i in names.indices {
            let probe: ProbeResult
            switch world.send(to: i, step: step, random: &random) {
            case .delivered(let latency): probe = .success(latency: .milliseconds(latency), serverVersion: "v1.32.0")
            case .unreachable: probe = .failure(reason: Datacenter.Reason.connectionFailed, message: "connection refused")
            case .requestLost, .responseLost, .late: probe = .failure(reason: Datacenter.Reason.probeTimeout, message: "no answer within 1s")
            }
            let previousPhase = statuses[i]?.phase
            let status = DatacenterHealth.evaluate(previous: statuses[i], probe: probe, healthCheck: .defaults, generation: 1, now: now)
            if status.phase != previousPhase { trace.log(step, "hub: \(names[i]) \(status.phase?.rawValue ?? "-")") }
            statuses[i] = status
            views.append(MemberView(name: names[i], spec: specs[i], status: status))
        }
        return views
    }

    static func describe(_ decision: PromotionDecision) -> String {
        switch decision {
        case .stay(let primary, let epoch): "stay \(primary)@\(epoch)"
        case .promote(let from, let to, let epoch, let reason): "promote \(to)@\(epoch) from \(from ?? "-") (\(reason))"
        case .handover(let from, let to, let epoch, let reason): "handover \(from) → \(to)@\(epoch) (\(reason))"
        case .demote(let member, let epoch): "demote \(member) to epoch \(epoch)"
        case .wait(let until, let reason, _): "wait until \(KubeTime(until)) (\(reason))"
        case .blocked(let reason, _): "blocked (\(reason))"
        }
    }
}
