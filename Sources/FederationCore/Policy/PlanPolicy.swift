import FederationAPI
import Foundation

/// A promotion rule: the real ``planPromotion(_:)`` or, in the simulation, a deliberately broken one.
public typealias PromotionRule = @Sendable (PromotionInputs) -> PromotionDecision

/// A fencing rule with the shape of ``Fencing/plan(policy:primary:epoch:markers:)``.
public typealias FencingRule = @Sendable (_ policy: String, _ primary: String, _ epoch: Int64, _ markers: [MemberMarker]) -> FencingPlan

/// Plans one FederationPolicy reconcile pass. Pure and deterministic.
///
/// It decides with `promotion` (``planPromotion(_:)``), builds the status
/// (``FederationPolicyStatusBuilder/build(policy:members:markers:decision:now:)``), plans the marker
/// writes with `fencing` (``Fencing/plan(policy:primary:epoch:markers:)``) for the primary and epoch
/// of that status, and orders everything as ``PolicyPlan`` describes:
/// - the status write and its events (``PolicyEvents/forStatusChange(policy:status:decision:datacenter:)``)
///   only when the status changes;
/// - on a split brain nothing is written to any member and no role changes: only the status;
/// - no marker write for a Pull member (its agent writes it and reports it), but its role is kept;
/// - a role write only where `status.role` as read differs, at most one per member;
/// - markers of members that are not reachable (``PolicyPlan/markerReads(among:)``) are ignored.
///
/// - Parameters:
///   - policy: The FederationPolicy as read (its status is the one in force).
///   - members: The selected members (``MemberView/members(of:among:)``).
///   - markers: The markers read in this pass.
///   - now: The current time.
///   - promotion: The promotion rule (the real one unless a simulation injects a bug).
///   - fencing: The fencing rule (likewise).
public func planPolicy(
    policy: FederationPolicy, members: [MemberView], markers: [MemberMarker], now: Date,
    promotion: PromotionRule = { planPromotion($0) },
    fencing: FencingRule = { Fencing.plan(policy: $0, primary: $1, epoch: $2, markers: $3) }
) -> PolicyPlan {
    let readable = Set(PolicyPlan.markerReads(among: members))
    let markers = markers.filter { readable.contains($0.datacenter) }
    let decision = promotion(PromotionInputs(policy: policy, members: members, markers: markers, quorum: QuorumView(members: members), now: now))
    let status = FederationPolicyStatusBuilder.build(policy: policy, members: members, markers: markers, decision: decision, now: now)
    let byName = Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    func reference(_ name: String) -> ObjectReference {
        var reference = PolicyEvents.datacenterReference(name)
        reference.uid = byName[name]?.uid
        return reference
    }

    var effects: [PolicyEffect] = []
    if status != policy.status {
        effects.append(.writeStatus(status))
        effects += PolicyEvents.forStatusChange(policy: policy, status: status, decision: decision, datacenter: reference).map(PolicyEffect.record)
    }
    if !decision.isSplitBrain, let primary = status.primary, let epoch = status.epoch, epoch > 0 {
        var roles = byName.mapValues(\.role)
        func setRole(_ name: String, _ role: DatacenterRole) {
            guard let current = roles[name], current != role else { return }
            effects.append(.setRole(datacenter: name, role: role))
            roles[name] = role
        }
        let writes = fencing(policy.metadata.name ?? "", primary, epoch, markers).writes.filter { byName[$0.datacenter]?.pull != true }
        for write in writes {
            effects.append(.writeMarker(write))
            setRole(write.datacenter, write.role)
            let previous = markers.first { $0.datacenter == write.datacenter }
            if let event = PolicyEvents.forMarkerWrite(
                write, previous: previous, policy: policy, lastPromotionReason: status.lastPromotion?.reason, datacenter: reference)
            {
                effects.append(.record(event))
            }
        }
        for member in members.sorted(by: { $0.name < $1.name }) {
            setRole(member.name, Fencing.role(of: member.name, primary: primary))
        }
    }
    let requeue: PolicyRequeue = if case .wait(let until, _, _) = decision { .at(until) } else { .resync }
    return PolicyPlan(decision: decision, status: status, effects: effects, requeue: requeue)
}
