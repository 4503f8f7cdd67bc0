import FederationAPI
import Foundation

/// A promotion rule: the real ``planPromotion(_:)`` or, in tests, a deliberately broken one.
public typealias PromotionRule = @Sendable (PromotionInputs) -> PromotionDecision

/// The hub controller as the simulation runs it: each step it probes every member through the
/// simulated network, runs the real health decision, reads the markers, runs the promotion rule,
/// writes the policy status first and then the markers in the fencing plan's order, stopping at
/// the first failed write.
struct SimulatedHub: Sendable {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)

    var policy: FederationPolicy
    let names: [String]
    let specs: [DatacenterSpec]
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

    /// What one pass decided and whether it raised the epoch.
    struct Pass {
        var decision: PromotionDecision
        var raised: Bool
    }

    /// One reconcile pass at `step`.
    mutating func reconcile(
        step: Int, world: inout SimulatedWorld, random: inout SimulationRandom, rules: SimulationRules, trace: inout SimulationTrace
    ) -> Pass {
        let now = now(step)
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
        var markers: [MemberMarker] = []
        for i in names.indices where world.send(to: i, step: step, random: &random).succeeded {
            markers.append(world.members[i].observed)
        }

        let decision = rules.promotion(PromotionInputs(policy: policy, members: views, markers: markers, quorum: QuorumView(members: views), now: now))
        if decision != lastDecision { trace.log(step, "hub decides: \(Self.describe(decision))") }
        lastDecision = decision
        let status = FederationPolicyStatusBuilder.build(policy: policy, members: views, markers: markers, decision: decision, now: now)
        policy.status = status
        if !decision.isSplitBrain, let primary = status.primary, let epoch = status.epoch, epoch > 0 {
            let plan = rules.fencing(policy.metadata.name ?? "", primary, epoch, markers)
            for write in plan.writes {
                guard send(write, step: step, world: &world, random: &random, trace: &trace) else { break }
            }
        }
        return Pass(decision: decision, raised: decision.raisedEpoch != nil)
    }

    /// Sends one marker write; true when the hub saw it succeed.
    func send(_ write: MarkerWrite, step: Int, world: inout SimulatedWorld, random: inout SimulationRandom, trace: inout SimulationTrace) -> Bool {
        guard let i = names.firstIndex(of: write.datacenter) else { return false }
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
