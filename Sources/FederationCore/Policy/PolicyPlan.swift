import FederationAPI
import Foundation

/// One thing a FederationPolicy reconcile pass does to the world. The plan lists them in the
/// order they must run; an executor (the controller's, or the simulation's) runs them.
public enum PolicyEffect: Hashable, Sendable {
    /// Replace the policy's status, with optimistic concurrency on the policy as read. When the
    /// plan has one it comes first: a new epoch is raised in the policy before any marker names it.
    case writeStatus(FederationPolicyStatus)
    /// Write one member's fencing marker (create or update, as its precondition says).
    case writeMarker(MarkerWrite)
    /// Set a member Datacenter's `status.role`.
    case setRole(datacenter: String, role: DatacenterRole)
    /// Record an event (events.k8s.io/v1). Recording never fails the pass.
    case record(PolicyEvent)
}

/// When the reconciler plans again once every effect has run.
public enum PolicyRequeue: Hashable, Sendable {
    /// At the periodic resync: markers may change without the hub seeing it.
    case resync
    /// When a timed wait ends (`unreachableForSeconds`, a failback's stabilization), or at the
    /// resync if that comes first.
    case at(Date)
}

/// How the execution of a plan ended.
public enum PolicyOutcome: Hashable, Sendable {
    /// Every effect ran.
    case completed
    /// This write failed (409, timeout, unreachable member); the effects after it did not run.
    /// Read again and plan again soon: the next plan starts from what the world holds now.
    case stopped(at: PolicyEffect)
}

/// What one FederationPolicy reconcile pass must do, as a value: the decision, the status it leads
/// to, and the ordered effects that bring the world there.
///
/// **Run the effects in order and stop at the first failed write** (then re-read and plan again):
/// 1. the status write, when the status changes, with the events about that change — a new epoch
///    is raised in the policy before any marker names it;
/// 2. the marker writes in the fencing order (``Fencing/plan(policy:primary:epoch:markers:)``: the
///    primary in force first, then former primaries, then the rest by name), each followed by the
///    member's role when it changes and by the Demoted event when the write demoted a primary;
/// 3. the roles of the members that got no marker write, by name.
///
/// Stopping keeps the fencing order across failures: the old primary is never demoted before the
/// new one holds the epoch, and no marker names an epoch the policy has not raised.
public struct PolicyPlan: Hashable, Sendable {
    /// What the promotion rule decided.
    public var decision: PromotionDecision
    /// The policy's status once the plan has run.
    public var status: FederationPolicyStatus
    /// The effects, in the order they must run.
    public var effects: [PolicyEffect]
    /// When to plan again once every effect ran (after a failed write: soon).
    public var requeue: PolicyRequeue

    /// Creates a plan.
    public init(decision: PromotionDecision, status: FederationPolicyStatus, effects: [PolicyEffect], requeue: PolicyRequeue) {
        self.decision = decision
        self.status = status
        self.effects = effects
        self.requeue = requeue
    }

    /// The marker writes, in order.
    public var markerWrites: [MarkerWrite] {
        effects.compactMap { if case .writeMarker(let write) = $0 { write } else { nil } }
    }

    /// The members whose markers a pass reads: those the controller's latest probe reached
    /// (`reachable`, the `Reachable` condition). Markers of any other member are left out of the
    /// plan even when they could be read: an unreachable member's marker is unknown.
    public static func markerReads(among members: [MemberView]) -> [String] {
        members.filter(\.reachable).map(\.name)
    }
}
