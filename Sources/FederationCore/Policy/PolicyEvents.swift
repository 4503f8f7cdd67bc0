import FederationAPI
import Foundation

/// One event the FederationPolicy controller records: what it is about, and what it says.
public struct PolicyEvent: Hashable, Sendable {
    /// The object the event is about.
    public var regarding: ObjectReference
    /// A related object (the policy, for events about a Datacenter).
    public var related: ObjectReference?
    /// `Normal` or `Warning`.
    public var type: String
    /// CamelCase reason, such as `PrimaryPromoted`.
    public var reason: String
    /// CamelCase action, such as `Promote`.
    public var action: String
    /// The human-readable note.
    public var note: String

    /// Creates an event.
    public init(regarding: ObjectReference, related: ObjectReference? = nil, type: String, reason: String, action: String, note: String) {
        self.regarding = regarding
        self.related = related
        self.type = type
        self.reason = reason
        self.action = action
        self.note = note
    }
}

/// Which events a reconcile pass produces. Pure: ``planPolicy(policy:members:markers:now:promotion:fencing:)``
/// puts what these return into the plan, and the executor records them.
public enum PolicyEvents {
    typealias T = FederationPolicy.ConditionType
    typealias R = FederationPolicy.Reason

    /// Events for a status change: a promotion (on the policy and on the new primary), a promotion
    /// that became blocked, and a split brain that was detected or cleared. Nothing when the
    /// conditions only repeat what the previous status said.
    /// `datacenter` resolves a member's name to a reference (with its uid, which `kubectl describe` matches).
    public static func forStatusChange(
        policy: FederationPolicy, status: FederationPolicyStatus, decision: PromotionDecision,
        datacenter: (String) -> ObjectReference = datacenterReference
    ) -> [PolicyEvent] {
        let policyRef = ObjectReference(to: policy)
        var events: [PolicyEvent] = []
        if let raised = decision.raisedEpoch {
            let from = raised.from.map { "; previous primary \($0)" } ?? ""
            events.append(PolicyEvent(
                regarding: policyRef, type: Event.normal, reason: "PrimaryPromoted", action: "Promote",
                note: "\(raised.primary) is primary at epoch \(raised.epoch) (\(raised.reason))\(from)."))
            events.append(PolicyEvent(
                regarding: datacenter(raised.primary), related: policyRef, type: Event.normal, reason: "Promoted", action: "Promote",
                note: "Primary of FederationPolicy \(policy.metadata.name ?? "") at epoch \(raised.epoch) (\(raised.reason))."))
        }
        let before = policy.status?.conditions ?? []
        if case .blocked(let reason, let message) = decision, !decision.isSplitBrain,
            before.first(where: { $0.type == T.ready })?.reason != reason
        {
            events.append(PolicyEvent(regarding: policyRef, type: Event.warning, reason: "PromotionBlocked", action: "Promote", note: "\(reason): \(message)"))
        }
        let splitNow = status.conditions.first { $0.type == T.splitBrainDetected }
        let splitBefore = before.first { $0.type == T.splitBrainDetected }
        if splitNow?.status == .true, splitBefore?.status != .true {
            events.append(PolicyEvent(
                regarding: policyRef, type: Event.warning, reason: "SplitBrainDetected", action: "Fence", note: splitNow?.message ?? ""))
        } else if splitBefore?.status == .true, splitNow?.status == .false {
            events.append(PolicyEvent(
                regarding: policyRef, type: Event.normal, reason: "SplitBrainResolved", action: "Fence", note: splitNow?.message ?? ""))
        }
        return events
    }

    /// The event for a successful marker write that demoted a member: one whose marker named
    /// itself primary and is not the primary in force (secondaries moving up an epoch are not demotions). A Warning when a
    /// former primary was fenced after a failover, Normal after a planned handover.
    public static func forMarkerWrite(
        _ write: MarkerWrite, previous: MemberMarker?, policy: FederationPolicy, lastPromotionReason: String?,
        datacenter: (String) -> ObjectReference = datacenterReference
    ) -> PolicyEvent? {
        guard write.role == .secondary, let previous, previous.claimsPrimary else { return nil }
        return PolicyEvent(
            regarding: datacenter(write.datacenter), related: ObjectReference(to: policy),
            type: planned.contains(lastPromotionReason ?? "") ? Event.normal : Event.warning,
            reason: "Demoted", action: "Fence",
            note: "Fenced to epoch \(write.marker.epoch) as Secondary (it was primary at epoch \(previous.epoch)); the primary is \(write.marker.primary).")
    }

    /// Promotion reasons a person asked for: the old primary stepping down is expected.
    public static let planned: Set<String> = [R.plannedPromotion, R.failback, R.initialPrimary]

    /// A reference to a cluster-scoped Datacenter by name (without uid: for tests and deleted members).
    public static func datacenterReference(_ name: String) -> ObjectReference {
        ObjectReference(apiVersion: Datacenter.apiVersion, kind: Datacenter.kind, name: name)
    }
}
