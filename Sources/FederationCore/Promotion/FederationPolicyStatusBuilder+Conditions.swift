import FederationAPI
import Foundation

/// The inputs of the FederationPolicy conditions, and the rules that set them.
struct ConditionContext {
    typealias T = FederationPolicy.ConditionType
    typealias R = FederationPolicy.Reason
    let policy: FederationPolicy
    let members: [MemberView]
    let decision: PromotionDecision
    let primary: String?
    let epoch: Int64
    let lagging: [String]
    let generation: Int64?
    let time: KubeTime

    func condition(_ type: String, _ value: ConditionStatus, _ reason: String, _ message: String) -> Condition {
        Condition(type: type, status: value, observedGeneration: generation, lastTransitionTime: time, reason: reason, message: message)
    }

    /// The decision's own reason and message, when it has them.
    var decisionReason: (reason: String, message: String)? {
        switch decision {
        case .wait(_, let reason, let message), .blocked(let reason, let message): (reason, message)
        case .demote(let member, let epoch): (R.staleMemberFenced, "\(member) held an older epoch; it is being demoted to epoch \(epoch).")
        default: nil
        }
    }

    var promoting: Bool { decision.raisedEpoch != nil || !lagging.isEmpty }

    func apply(to conditions: inout [Condition]) {
        let splitBrain = decision.isSplitBrain
        conditions.set(promotingCondition)
        conditions.set(
            splitBrain
                ? condition(T.splitBrainDetected, .true, R.conflictingPrimaries, decisionReason?.message ?? "")
                : condition(T.splitBrainDetected, .false, R.singlePrimary, "The members' markers agree with epoch \(epoch)."))
        let available = primaryAvailable
        conditions.set(available)
        conditions.set(readyCondition(primaryAvailable: available.status == .true))
        if let reconciling = reconcilingCondition { conditions.set(reconciling) } else { conditions.remove(T.reconciling) }
        if let stalled = stalledCondition { conditions.set(stalled) } else { conditions.remove(T.stalled) }
    }

    var promotingCondition: Condition {
        if let raised = decision.raisedEpoch {
            return condition(
                T.promoting, .true, R.raisingEpoch,
                "Promoting \(raised.primary) at epoch \(raised.epoch) (\(raised.reason)); writing the epoch to every reachable member.")
        }
        if !lagging.isEmpty {
            return condition(T.promoting, .true, R.raisingEpoch, "Writing epoch \(epoch) to: \(lagging.joined(separator: ", ")).")
        }
        let message = primary == nil ? "No primary has been assigned yet." : "Every reachable member holds epoch \(epoch)."
        return condition(T.promoting, .false, R.idle, message)
    }

    var primaryAvailable: Condition {
        guard let primary else {
            let (reason, message) = decisionReason ?? (R.raisingEpoch, "Assigning the first primary.")
            return condition(T.primaryAvailable, .false, reason, message)
        }
        guard let member = members.first(where: { $0.name == primary }) else {
            return condition(T.primaryAvailable, .false, R.primaryNotMember, "The primary \(primary) is not a member of this policy.")
        }
        switch member.phase {
        case .ready, .suspect:
            return condition(T.primaryAvailable, .true, R.primaryReady, "\(primary) is primary at epoch \(epoch) and \(member.phase.rawValue).")
        case .unreachable:
            let since = member.unreachableSince.map { " since \(KubeTime($0))" } ?? ""
            return condition(T.primaryAvailable, .false, R.primaryUnreachable, "The primary \(primary) has been Unreachable\(since).")
        case .pending:
            return condition(T.primaryAvailable, .false, R.primaryNotReady, "The primary \(primary) is Pending: it has not answered its probes yet.")
        }
    }

    func readyCondition(primaryAvailable: Bool) -> Condition {
        if let raised = decision.raisedEpoch {
            return condition(T.ready, .false, R.raisingEpoch, "Promoting \(raised.primary) at epoch \(raised.epoch).")
        }
        if let (reason, message) = decisionReason { return condition(T.ready, .false, reason, message) }
        if !lagging.isEmpty { return condition(T.ready, .false, R.raisingEpoch, "Writing epoch \(epoch) to: \(lagging.joined(separator: ", ")).") }
        guard let primary, primaryAvailable else {
            return condition(T.ready, .false, R.primaryUnreachable, "The primary \(primary ?? "(none)") is not available.")
        }
        let ready = members.filter { $0.phase == .ready }.count
        var message = "\(primary) is primary at epoch \(epoch); \(ready) of \(members.count) members Ready."
        if policy.spec.primary != primary {
            message += " spec.primary is \(policy.spec.primary): failback is \(policy.spec.effectiveFailback.rawValue)"
            message += policy.spec.effectiveFailback == .manual
                ? "; annotate \(PromotionAnnotation.failbackRequestedAt) with the current time to move back."
                : " and waits until \(policy.spec.primary) is Ready."
        }
        return condition(T.ready, .true, R.primaryReady, message)
    }

    var reconcilingCondition: Condition? {
        if promoting { return condition(T.reconciling, .true, R.raisingEpoch, promotingCondition.message) }
        switch decision {
        case .wait(_, let reason, let message): return condition(T.reconciling, .true, reason, message)
        case .demote: return decisionReason.map { condition(T.reconciling, .true, $0.reason, $0.message) }
        default: return nil
        }
    }

    var stalledCondition: Condition? {
        guard case .blocked(let reason, let message) = decision,
            [R.conflictingPrimaries, R.primaryNotMember, R.primaryUnschedulable, R.awaitingManualPromotion].contains(reason)
        else { return nil }
        return condition(T.stalled, .true, reason, message)
    }
}
