import FederationAPI
import Foundation

/// The properties checked after every simulated step.
public enum Invariant: String, CaseIterable, Hashable, Sendable {
    /// Never two members acting as primary within one epoch (over the whole schedule).
    case onePrimaryPerEpoch = "one-primary-per-epoch"
    /// The policy's epoch and every member's marker epoch never decrease.
    case epochsOnlyGrow = "epochs-only-grow"
    /// With requireQuorum, the epoch is raised only while the hub is connected to a majority.
    case quorumForPromotion = "quorum-for-promotion"
    /// A single controller never sees a split brain.
    case noSplitBrain = "no-split-brain"
    /// In a step without any fault, a federation that had a primary still has one (planned
    /// handovers and failbacks never leave a gap).
    case noGapWithoutFaults = "no-gap-without-faults"
    /// Once the faults heal, exactly one member acts as primary — the policy's, at its epoch —
    /// within the convergence bound, and from then on.
    case onePrimaryAfterHeal = "one-primary-after-heal"
    /// Services: traffic switches only onto a datacenter with ready replicas, is never left on one
    /// Concord scaled to 0, and rests on one whose replicas a fault took only while the policy
    /// allows (`unhealthyForSeconds` plus detection, a move in flight, a failed pass, or nothing fits).
    case trafficOnReadyReplicas = "traffic-on-ready-replicas"
    /// Services: traffic moves away from where it runs only onto a target that fitted (Ready, not
    /// cordoned, with room) when the move started.
    case noEvictionWithoutFit = "no-eviction-without-fit"
    /// Services: a failover leaves a datacenter only for an incident of its own (a fault there since
    /// traffic arrived), never a second time for an earlier one.
    case oneTransitionPerIncident = "one-transition-per-incident"
    /// Services: an automatic failback starts only after `stabilizationSeconds` of continuous health
    /// of the primary; a manual one only when a person asked.
    case noEarlyFailback = "no-early-failback"
    /// Services: within the settle bound after the heal, no move is in flight, traffic is where the
    /// status says, the active datacenter runs all its replicas, and no other site keeps any.
    case servicesSettleAfterHeal = "services-settle-after-heal"
    /// ActiveActive: a scale write never sets a datacenter above the room the controller saw (its
    /// capacity minus every other federated workload placed there, and `maxReplicasPerDatacenter`).
    case placementWithinCapacity = "placement-within-capacity"
    /// ActiveActive: every status accounts for each replica: placed plus unplaced is `spec.replicas`.
    case replicasAccounted = "replicas-accounted"
    /// ActiveActive: the placement spans `minDatacenters` (or the total, if smaller) whenever that
    /// many candidates surely have room.
    case minDatacentersKept = "min-datacenters-kept"
    /// ActiveActive: a datacenter is scaled down only once every placed datacenter the controller
    /// reaches has its share ready.
    case makeBeforeBreak = "make-before-break"

    /// The invariants about promotion and fencing (checked in every schedule).
    public static let promotionInvariants: [Invariant] = [
        .onePrimaryPerEpoch, .epochsOnlyGrow, .quorumForPromotion, .noSplitBrain, .noGapWithoutFaults, .onePrimaryAfterHeal,
    ]
    /// The invariants about ServiceFailovers (checked when a schedule runs services).
    public static let serviceInvariants: [Invariant] = [
        .trafficOnReadyReplicas, .noEvictionWithoutFit, .oneTransitionPerIncident, .noEarlyFailback, .servicesSettleAfterHeal,
    ]
    /// The invariants only ActiveActive services have (they also keep `noEarlyFailback`, for a
    /// datacenter's share coming back, and `servicesSettleAfterHeal`).
    public static let activeActiveInvariants: [Invariant] = [.placementWithinCapacity, .replicasAccounted, .minDatacentersKept, .makeBeforeBreak]
}

/// A broken invariant.
public struct Violation: Hashable, Sendable {
    /// Which invariant.
    public var invariant: Invariant
    /// The step it broke at.
    public var step: Int
    /// What was observed.
    public var detail: String
}

/// The state the invariants need across steps.
struct InvariantChecker: Sendable {
    let config: SimulationConfig
    let requireQuorum: Bool
    var primaryOfEpoch: [Int64: String] = [:]
    var policyEpoch: Int64 = 0
    var markerEpochs: [Int64]
    var hadPrimary = false
    var checks = 0
    /// Steps after the heal until exactly one primary acted.
    var settledAfter: Int?
    /// The current and the longest run of steps that ended with no member acting as primary,
    /// once one had acted.
    var gap = 0, longestGap = 0
    var hadPrimaryOnce = false

    init(config: SimulationConfig, requireQuorum: Bool) {
        self.config = config
        self.requireQuorum = requireQuorum
        markerEpochs = Array(repeating: 0, count: config.datacenters)
    }

    /// Checks every invariant after `step`: the primary invariants at every moment of the step (after
    /// each marker write, then at its end), the others at its end.
    mutating func check(
        step: Int, world: inout SimulatedWorld, status: FederationPolicyStatus?, pass: SimulatedHub.Pass, connected: Int, faultActive: Bool
    ) -> Violation? {
        checks += Invariant.promotionInvariants.count
        let acting = world.actingPrimaries
        let moments = world.moments + [acting]
        world.moments.removeAll(keepingCapacity: true)
        for moment in moments {
            if let violation = check(moment: moment, step: step, world: world, faultActive: faultActive) { return violation }
        }

        let epoch = status?.epoch ?? 0
        if epoch < policyEpoch {
            return Violation(invariant: .epochsOnlyGrow, step: step, detail: "the policy's epoch went from \(policyEpoch) to \(epoch)")
        }
        policyEpoch = epoch
        for (i, member) in world.members.enumerated() {
            if member.marker.epoch < markerEpochs[i] {
                return Violation(
                    invariant: .epochsOnlyGrow, step: step, detail: "\(member.name)'s marker went from epoch \(markerEpochs[i]) to \(member.marker.epoch)")
            }
            markerEpochs[i] = member.marker.epoch
        }

        if pass.raised, requireQuorum, connected * 2 <= config.datacenters {
            return Violation(
                invariant: .quorumForPromotion, step: step,
                detail: "raised the epoch to \(epoch) while connected to \(connected) of \(config.datacenters) members")
        }

        if pass.decision.isSplitBrain {
            return Violation(invariant: .noSplitBrain, step: step, detail: "split brain reported by a single controller: \(pass.decision)")
        }

        if hadPrimaryOnce, acting.isEmpty {
            gap += 1
            longestGap = max(longestGap, gap)
        } else {
            gap = 0
        }
        hadPrimaryOnce = hadPrimaryOnce || !acting.isEmpty

        if step >= config.healStep {
            let settled = acting.count == 1 && world.members[acting[0].member].name == status?.primary && acting[0].epoch == epoch
            if settled, settledAfter == nil { settledAfter = step - config.healStep }
            if !settled, step >= config.healStep + config.convergenceBound {
                let who = acting.map { "\(world.members[$0.member].name)@\($0.epoch)" }.joined(separator: ", ")
                return Violation(
                    invariant: .onePrimaryAfterHeal, step: step,
                    detail: "\(config.convergenceBound)+ steps after the heal: acting [\(who)], policy \(status?.primary ?? "-")@\(epoch)")
            }
        }
        return nil
    }

    /// The invariants about who acts as primary, at one moment.
    mutating func check(moment acting: [(member: Int, epoch: Int64)], step: Int, world: SimulatedWorld, faultActive: Bool) -> Violation? {
        for (i, epoch) in acting {
            let name = world.members[i].name
            if let other = primaryOfEpoch[epoch], other != name {
                return Violation(invariant: .onePrimaryPerEpoch, step: step, detail: "\(name) and \(other) both acted as primary at epoch \(epoch)")
            }
            primaryOfEpoch[epoch] = name
        }
        if hadPrimary, acting.isEmpty, !faultActive {
            return Violation(
                invariant: .noGapWithoutFaults, step: step, detail: "no member acts as primary although one did and no fault is active")
        }
        hadPrimary = !acting.isEmpty
        return nil
    }
}
