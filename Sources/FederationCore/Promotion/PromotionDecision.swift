import FederationAPI
import Foundation

/// The one thing the FederationPolicy reconciler must do about the primary now.
///
/// ``planPolicy(policy:members:markers:now:promotion:fencing:)`` turns the decision into the
/// ordered effects the reconciler executes:
/// - `.promote` / `.handover`: first write the policy status with the new primary and epoch
///   (``FederationPolicyStatusBuilder/build(policy:members:markers:decision:now:)``) with optimistic
///   concurrency; only when that succeeded apply ``Fencing/plan(policy:primary:epoch:markers:)``
///   for the new primary and epoch (in order, stopping at the first failure).
/// - `.demote`, `.stay`, `.wait`, and `.blocked` for any reason but a split brain: write status
///   when it changed, then apply the fencing plan for the primary and epoch in force (it contains
///   the demoted member; usually it is empty). Requeue `.wait` at its time.
/// - `.blocked` with reason ``FederationAPI/FederationPolicy/Reason/conflictingPrimaries`` (split
///   brain): write nothing to any member; only status.
public enum PromotionDecision: Hashable, Sendable {
    /// The primary in force stays; nothing changes.
    case stay(primary: String, epoch: Int64)
    /// Raise the epoch and make `to` the primary. `from` is the previous primary (nil for the first
    /// assignment); when unreachable it is fenced by the epoch and demoted once it returns.
    /// Reasons: InitialPrimary, PrimaryUnreachable, SplitBrainResolved.
    case promote(from: String?, to: String, epoch: Int64, reason: String)
    /// A planned change of primary (spec.primary changed, or failback to it), reachable to
    /// reachable, in two steps that never leave zero or two primaries acting: the epoch is raised
    /// in status, then `to`'s marker is written (it acts at `epoch`, `from` only at the older,
    /// fenced epoch), then `from`'s marker (it stops acting). Reasons: PlannedPromotion, Failback.
    case handover(from: String, to: String, epoch: Int64, reason: String)
    /// A member holds an older epoch than the policy (it returns from a partition or a crash, or
    /// just joined): rewrite its marker to the epoch in force and set its role Secondary before
    /// anything else happens with it.
    case demote(member: String, epoch: Int64)
    /// Nothing to do until `until` unless something changes (for example the primary's
    /// `unreachableForSeconds` or a failback's `stabilizationSeconds` is running).
    case wait(until: Date, reason: String, message: String)
    /// A promotion is needed or requested but may not happen; the reason and message say why and
    /// what a person can do (QuorumLost, NoEligibleCandidate, AwaitingManualPromotion,
    /// PrimaryNotMember, PrimaryUnschedulable, PrimaryNotReady, ConflictingPrimaries).
    case blocked(reason: String, message: String)

    /// The new primary and epoch when the decision raises the epoch.
    public var raisedEpoch: (primary: String, epoch: Int64, from: String?, reason: String)? {
        switch self {
        case .promote(let from, let to, let epoch, let reason): (to, epoch, from, reason)
        case .handover(let from, let to, let epoch, let reason): (to, epoch, from, reason)
        default: nil
        }
    }

    /// The decision's kind with its reason, such as `promote(PrimaryUnreachable)`, `blocked(QuorumLost)`
    /// or `stay` (for counting and logs).
    public var kind: String {
        switch self {
        case .stay: "stay"
        case .promote(_, _, _, let reason): "promote(\(reason))"
        case .handover(_, _, _, let reason): "handover(\(reason))"
        case .demote: "demote"
        case .wait(_, let reason, _): "wait(\(reason))"
        case .blocked(let reason, _): "blocked(\(reason))"
        }
    }

    /// True when the decision stops all fencing writes (a split brain).
    public var isSplitBrain: Bool {
        if case .blocked(let reason, _) = self { return reason == FederationPolicy.Reason.conflictingPrimaries }
        return false
    }
}

/// Everything ``planPromotion(policy:members:markers:quorum:now:)`` reads, in one value (so a
/// simulation can inject another rule with the same inputs).
public struct PromotionInputs: Hashable, Sendable {
    /// The FederationPolicy with its current status (primary and epoch in force).
    public var policy: FederationPolicy
    /// The selected members.
    public var members: [MemberView]
    /// The markers read in this pass (reachable members only).
    public var markers: [MemberMarker]
    /// The controller's reach.
    public var quorum: QuorumView
    /// The current time.
    public var now: Date

    /// Bundles the inputs.
    public init(policy: FederationPolicy, members: [MemberView], markers: [MemberMarker], quorum: QuorumView, now: Date) {
        self.policy = policy
        self.members = members
        self.markers = markers
        self.quorum = quorum
        self.now = now
    }
}
