import FederationAPI
import Foundation

/// Builds the status of a FederationPolicy from a promotion decision. Pure: the reconciler writes
/// what this returns.
public enum FederationPolicyStatusBuilder {
    /// The status after `decision`.
    ///
    /// - When the decision raises the epoch (promote, handover), `primary` and `epoch` take the new
    ///   values, and a ``FederationAPI/PromotionRecord`` (from, to, epoch, reason, `now`) becomes
    ///   `lastPromotion` and the head of `history` (newest first, at most
    ///   ``FederationAPI/FederationPolicy/historyLimit`` entries). Write this status **before** any
    ///   marker: the epoch is raised in the policy first.
    /// - `members`: every selected member by name, with its role under the primary in force, its
    ///   phase, and the epoch its marker held when last read (kept from the previous status while
    ///   the member is unreachable).
    /// - `readyMembers`: members in phase Ready.
    /// - Conditions (set with `[Condition].set`, so `lastTransitionTime` moves only on a flip; every
    ///   condition carries `observedGeneration`):
    ///   - `Promoting`: True (RaisingEpoch) while the epoch is being raised or a reachable member's
    ///     marker lags it; False (Idle) otherwise.
    ///   - `SplitBrainDetected`: True (ConflictingPrimaries) with what a person must do, else False (SinglePrimary).
    ///   - `PrimaryAvailable`: True (PrimaryReady) while the primary in force is Ready or Suspect;
    ///     False with PrimaryUnreachable, PrimaryNotReady or PrimaryNotMember — or, before the
    ///     first promotion, the decision's reason.
    ///   - `Ready`: True (PrimaryReady) only when the decision is stay, the primary is available, and
    ///     nothing is being promoted or fenced; False with the decision's reason otherwise.
    ///   - `Reconciling` (present only while True): a promotion or fencing is in flight, or a timed wait runs.
    ///   - `Stalled` (present only while True): a person must act — split brain, spec.primary is
    ///     not a member or is cordoned, or the primary is lost and `promotion.mode` is Manual (until
    ///     a person promotes or the primary returns).
    ///
    /// - Parameters:
    ///   - policy: The FederationPolicy as read (its status is the previous status).
    ///   - members: The selected members.
    ///   - markers: The markers read in this pass.
    ///   - decision: What ``planPromotion(policy:members:markers:quorum:now:)`` decided.
    ///   - now: The current time.
    public static func build(
        policy: FederationPolicy, members: [MemberView], markers: [MemberMarker], decision: PromotionDecision, now: Date
    ) -> FederationPolicyStatus {
        var status = policy.status ?? FederationPolicyStatus()
        status.observedGeneration = policy.metadata.generation
        if let raised = decision.raisedEpoch {
            let record = PromotionRecord(from: raised.from, to: raised.primary, epoch: raised.epoch, reason: raised.reason, time: KubeTime(now))
            status.primary = raised.primary
            status.epoch = raised.epoch
            status.lastPromotion = record
            status.history = Array(([record] + status.history).prefix(FederationPolicy.historyLimit))
        }
        let epoch = max(0, status.epoch ?? 0)
        let primary = epoch > 0 ? status.primary : nil
        let previous = Dictionary(status.members.map { ($0.name, $0.epoch) }, uniquingKeysWith: { a, _ in a })
        let read = Dictionary(markers.map { ($0.datacenter, $0) }, uniquingKeysWith: { a, _ in a })
        status.members = members.sorted { $0.name < $1.name }.map { m in
            let epoch: Int64? = if let marker = read[m.name] { marker.marker?.epoch } else { previous[m.name] ?? nil }
            return FederationMember(name: m.name, role: Fencing.role(of: m.name, primary: primary), phase: m.phase, epoch: epoch)
        }
        status.readyMembers = members.filter { $0.phase == .ready }.count

        let context = ConditionContext(
            policy: policy, members: members, decision: decision, primary: primary, epoch: epoch,
            lagging: lagging(policy: policy, members: members, markers: markers, primary: primary, epoch: epoch, decision: decision),
            generation: policy.metadata.generation, time: KubeTime(now)
        )
        context.apply(to: &status.conditions)
        return status
    }

    /// The reachable members whose marker does not hold the epoch in force yet.
    static func lagging(
        policy: FederationPolicy, members: [MemberView], markers: [MemberMarker], primary: String?, epoch: Int64, decision: PromotionDecision
    ) -> [String] {
        guard let primary, !decision.isSplitBrain else { return [] }
        let names = Set(members.map(\.name))
        return Fencing.plan(policy: policy.metadata.name ?? "", primary: primary, epoch: epoch, markers: markers.filter { names.contains($0.datacenter) })
            .datacenters
    }
}
