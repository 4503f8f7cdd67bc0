import FederationAPI
import Foundation

extension PromotionPlanner {
    /// Split brain: blocked, unless a person acknowledged exactly this situation.
    func resolve(_ splitBrain: SplitBrain) -> PromotionDecision {
        let message = splitBrain.message(policy: name)
        let acknowledged = policy.metadata.annotations?[PromotionAnnotation.resolveSplitBrain]
        let hasForeignMarker = splitBrain.findings.contains { if case .foreignPolicy = $0 { true } else { false } }
        guard acknowledged == String(splitBrain.highestEpoch), !hasForeignMarker else {
            return .blocked(reason: Reason.conflictingPrimaries, message: message)
        }
        let promotion = blockedUnlessPromotable(spec.primary)
            ?? gated(.promote(from: primary, to: spec.primary, epoch: splitBrain.highestEpoch + 1, reason: Reason.splitBrainResolved))
        guard case .blocked(_, let why) = promotion else { return promotion }
        return .blocked(
            reason: Reason.conflictingPrimaries,
            message: "Split brain acknowledged at epoch \(splitBrain.highestEpoch), but spec.primary cannot be promoted yet: \(why) \(message)")
    }

    /// True when `desired` is where the primary automatically failed away from: it is the `from` of a
    /// PrimaryUnreachable promotion in the newest unbroken run of such promotions.
    func failedAwayFrom(_ desired: String) -> Bool {
        let status = policy.status
        let records = status.map { $0.history.isEmpty ? ($0.lastPromotion.map { [$0] } ?? []) : $0.history } ?? []
        for record in records {
            guard record.reason == Reason.primaryUnreachable else { return false }
            if record.from == desired { return true }
        }
        return false
    }

    /// The primary in force is serving and spec.primary is the one it failed away from.
    func failback(from primary: String, to desired: String) -> PromotionDecision {
        let handover = PromotionDecision.handover(from: primary, to: desired, epoch: epoch + 1, reason: Reason.failback)
        switch spec.effectiveFailback {
        case .manual:
            guard failbackRequested else { return .stay(primary: primary, epoch: epoch) }
            return blockedUnlessPromotable(desired) ?? gated(handover)
        case .automatic:
            guard blockedUnlessPromotable(desired) == nil, let target = member(desired) else {
                return .stay(primary: primary, epoch: epoch)
            }
            let seconds = spec.effectiveStabilizationSeconds
            let due = (target.readySince ?? now).addingTimeInterval(TimeInterval(seconds))
            if now < due {
                return .wait(
                    until: due, reason: Reason.stabilizing,
                    message: "\(desired) is Ready again; failback from \(primary) once it has been Ready for \(seconds)s (at \(KubeTime(due))).")
            }
            return gated(handover)
        }
    }

    /// A person asked for a failback after the last promotion.
    var failbackRequested: Bool {
        guard let text = policy.metadata.annotations?[PromotionAnnotation.failbackRequestedAt],
            let requested = KubeTime(rfc3339: text)
        else { return false }
        guard let last = (policy.status?.lastPromotion ?? policy.status?.history.first)?.time else { return true }
        return requested > last
    }

    /// The primary in force is Unreachable.
    func failover(from current: MemberView) -> PromotionDecision {
        let promotion = spec.effectivePromotion
        let since = current.unreachableSince ?? now
        let ranked = CandidateRanking.rank(members, candidates: promotion.effectiveCandidates, excluding: current.name)
        let unreachable = "The primary \(current.name) has been Unreachable since \(KubeTime(since))"
        if promotion.effectiveMode == .manual {
            let advice = ranked.isEmpty
                ? "no member can be promoted now (\(CandidateRanking.explainNone(members, candidates: promotion.effectiveCandidates, excluding: current.name)))"
                : "set spec.primary to promote one of: \(ranked.prefix(3).map(\.name).joined(separator: ", "))"
            return .blocked(reason: Reason.awaitingManualPromotion, message: "\(unreachable); promotion.mode is Manual: \(advice).")
        }
        // With requireQuorum the primary must have been Unreachable for the whole window while the
        // controller held a majority: a controller cut off from most members can't tell a dead
        // primary from its own isolation, so the window restarts when the majority returns.
        let regained = promotion.effectiveRequireQuorum ? quorum.majoritySince.flatMap { $0 > since ? $0 : nil } : nil
        let due = (regained ?? since).addingTimeInterval(TimeInterval(promotion.effectiveUnreachableForSeconds))
        if now < due {
            let next = ranked.first.map { "promoting \($0.name)" } ?? "promoting the best candidate"
            let window = regained.map { "; the controller regained a majority at \(KubeTime($0))" } ?? ""
            return .wait(
                until: due, reason: Reason.primaryUnreachable, message: "\(unreachable)\(window); \(next) at \(KubeTime(due)) unless it recovers.")
        }
        if case .blocked(let reason, let message) = gated(.promote(from: current.name, to: ranked.first?.name ?? "", epoch: epoch + 1, reason: Reason.primaryUnreachable)) {
            return .blocked(reason: reason, message: "\(unreachable). \(message)")
        }
        guard let best = ranked.first else {
            return .blocked(
                reason: Reason.noEligibleCandidate,
                message: "\(unreachable), but no member can be promoted: "
                    + "\(CandidateRanking.explainNone(members, candidates: promotion.effectiveCandidates, excluding: current.name)).")
        }
        return .promote(from: current.name, to: best.name, epoch: epoch + 1, reason: Reason.primaryUnreachable)
    }
}
