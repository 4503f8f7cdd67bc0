import FederationAPI
import Foundation

/// Decides what must happen to the primary of a FederationPolicy now. Pure and deterministic.
///
/// The rules, in the order they apply (the first that matches decides):
/// 1. **Split brain** (``Fencing/detectSplitBrain(policy:primary:epoch:markers:)``): blocked with
///    ConflictingPrimaries and a message saying what a person must do — unless the person
///    acknowledged it with ``PromotionAnnotation/resolveSplitBrain`` set to the highest epoch seen;
///    then spec.primary is promoted at that epoch + 1 (SplitBrainResolved).
/// 2. **No primary yet** (`status.epoch` absent or 0): spec.primary is promoted at epoch 1
///    (InitialPrimary) once it is a Ready, uncordoned member.
/// 3. **Stale member**: a reachable member other than the primary holds an older epoch →
///    demote it, before anything else happens with it. (If the primary's own marker is stale —
///    an interrupted promotion — the primary is written first by the fencing plan, so demotion waits.)
/// 4. **spec.primary differs from the primary in force**:
///    - if spec.primary is the datacenter the primary automatically failed away from (a run of
///      PrimaryUnreachable promotions in `status.history`) and the primary in force is serving,
///      it is a **failback**: `failback: Automatic` hands over once spec.primary has been Ready for
///      `stabilizationSeconds` (wait until then); `Manual` stays, unless a person requested it with
///      ``PromotionAnnotation/failbackRequestedAt`` after the last promotion;
///    - otherwise it is a **planned promotion**: hand over to spec.primary if it is a Ready,
///      uncordoned member, else blocked while the primary in force keeps serving.
/// 5. **The primary in force** is not a member any more → blocked (PrimaryNotMember); is not
///    Unreachable → stay; is Unreachable → with `promotion.mode: Manual` blocked
///    (AwaitingManualPromotion, naming the best candidates); with Automatic wait until it has been
///    Unreachable for `unreachableForSeconds`, then promote the best candidate
///    (``CandidateRanking/rank(_:candidates:excluding:)``) at epoch + 1, or blocked
///    (NoEligibleCandidate).
///
/// Every decision that raises the epoch (promote, handover) requires, with
/// `promotion.requireQuorum` (the default), that the controller reaches a strict majority of the
/// members; otherwise it is blocked (QuorumLost).
///
/// - Parameters:
///   - policy: The FederationPolicy as read, with the status in force (`status.primary`, `status.epoch`,
///     `status.history`).
///   - members: The selected members (``MemberView/members(of:among:)``).
///   - markers: The members' markers read in this pass; unreachable members are absent.
///   - quorum: Which members the controller reaches (``QuorumView/init(members:)``).
///   - now: The current time.
public func planPromotion(
    policy: FederationPolicy, members: [MemberView], markers: [MemberMarker], quorum: QuorumView, now: Date
) -> PromotionDecision {
    PromotionPlanner(policy: policy, members: members, markers: markers, quorum: quorum, now: now).decide()
}

/// ``planPromotion(policy:members:markers:quorum:now:)`` over bundled inputs.
public func planPromotion(_ inputs: PromotionInputs) -> PromotionDecision {
    planPromotion(policy: inputs.policy, members: inputs.members, markers: inputs.markers, quorum: inputs.quorum, now: inputs.now)
}

/// The state of one decision; the branches live in extensions.
struct PromotionPlanner {
    typealias Reason = FederationPolicy.Reason
    let policy: FederationPolicy
    let members: [MemberView]
    let markers: [MemberMarker]
    let quorum: QuorumView
    let now: Date

    var name: String { policy.metadata.name ?? "" }
    var spec: FederationPolicySpec { policy.spec }
    var epoch: Int64 { max(0, policy.status?.epoch ?? 0) }
    var primary: String? { epoch > 0 ? policy.status?.primary : nil }

    func member(_ name: String) -> MemberView? { members.first { $0.name == name } }
    func marker(_ name: String) -> MemberMarker? { markers.first { $0.datacenter == name } }

    func decide() -> PromotionDecision {
        if let splitBrain = Fencing.detectSplitBrain(policy: name, primary: primary, epoch: epoch, markers: memberMarkers) {
            return resolve(splitBrain)
        }
        guard let primary else {
            return blockedUnlessPromotable(spec.primary) ?? gated(.promote(from: nil, to: spec.primary, epoch: epoch + 1, reason: Reason.initialPrimary))
        }
        if let demotion = staleMember(besides: primary) { return demotion }
        let current = member(primary)
        let serving = current.map { $0.phase != .unreachable } ?? false
        let desired = spec.primary
        if desired != primary {
            let isFailback = failedAwayFrom(desired)
            if isFailback, serving { return failback(from: primary, to: desired) }
            if !isFailback || current == nil {
                let reason = isFailback ? Reason.failback : Reason.plannedPromotion
                if let blocked = blockedUnlessPromotable(desired) {
                    if serving || current == nil { return blocked }
                } else {
                    return gated(.handover(from: primary, to: desired, epoch: epoch + 1, reason: reason))
                }
            }
        }
        guard let current else {
            return .blocked(
                reason: Reason.primaryNotMember,
                message: "The primary \(primary) is no longer a member (no Datacenter of that name matches spec.datacenterSelector): "
                    + "set spec.primary to a member to promote it.")
        }
        guard current.phase == .unreachable else { return .stay(primary: primary, epoch: epoch) }
        return failover(from: current)
    }

    /// The markers of members only (a marker read from elsewhere is not this policy's concern).
    var memberMarkers: [MemberMarker] { markers.filter { member($0.datacenter) != nil } }

    /// Blocks a promotion when the controller does not reach a majority and the policy requires it.
    func gated(_ decision: PromotionDecision) -> PromotionDecision {
        guard spec.effectivePromotion.effectiveRequireQuorum, !quorum.hasMajority else { return decision }
        let target = decision.raisedEpoch.map(\.primary).flatMap { $0.isEmpty ? nil : $0 } ?? "a new primary"
        return .blocked(
            reason: Reason.quorumLost,
            message: "The controller reaches \(quorum.reachable) of \(quorum.members) members; promoting \(target) needs a majority "
                + "(\(quorum.members / 2 + 1)) because promotion.requireQuorum is true.")
    }

    /// Nil when `name` may be promoted (a Ready, uncordoned member), else the blocked decision saying why not.
    func blockedUnlessPromotable(_ name: String) -> PromotionDecision? {
        guard let m = member(name) else {
            return .blocked(
                reason: Reason.primaryNotMember,
                message: "spec.primary \(name) is not a member: no Datacenter of that name matches spec.datacenterSelector.")
        }
        if m.unschedulable {
            return .blocked(
                reason: Reason.primaryUnschedulable,
                message: "\(name) is cordoned (spec.unschedulable: true): uncordon it or set spec.primary to another member.")
        }
        if m.phase != .ready {
            return .blocked(reason: Reason.primaryNotReady, message: "\(name) is \(m.phase.rawValue), not Ready: it is promoted once Ready.")
        }
        return nil
    }

    /// A reachable member other than the primary that holds an older epoch, unless the primary's own
    /// marker is stale (then the fencing plan writes the primary first and demotion waits a pass).
    func staleMember(besides primary: String) -> PromotionDecision? {
        if let own = marker(primary), own.isStale(comparedTo: epoch) { return nil }
        let stale = memberMarkers
            .filter { Fencing.mustDemote($0, policy: name, primary: primary, epoch: epoch) }
            .min { $0.datacenter < $1.datacenter }
        return stale.map { .demote(member: $0.datacenter, epoch: epoch) }
    }
}
