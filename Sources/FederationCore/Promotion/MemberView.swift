import FederationAPI
import Foundation

/// What the promotion decision and the policy plan need to know about one member Datacenter, read
/// from its spec and its persisted status (so a new leader decides exactly as the old one would have).
public struct MemberView: Hashable, Sendable {
    /// The Datacenter's name.
    public var name: String
    /// The health phase (`status.phase`; Pending when absent).
    public var phase: DatacenterPhase
    /// True when the controller's latest probe of the member succeeded (`Reachable=True`); counts
    /// towards the quorum.
    public var reachable: Bool
    /// `spec.priority` with its default: higher is preferred.
    public var priority: Int
    /// The smoothed probe round trip; unknown latencies rank last.
    public var latencyMilliseconds: Int?
    /// `spec.unschedulable`: a cordoned member is never promoted.
    public var unschedulable: Bool
    /// Since when the member has been Unreachable (nil unless the phase is Unreachable).
    public var unreachableSince: Date?
    /// Since when the member has been serving without interruption by Unreachable (nil unless the
    /// phase is Ready): the failback stabilization window counts from here.
    public var readySince: Date?
    /// Since when the controller's probes have reached the member without interruption (the
    /// `Reachable` condition's lastTransitionTime while it is True); nil when unknown or unreachable.
    public var reachableSince: Date?
    /// `status.role` as read: the plan writes the role only where it differs.
    public var role: DatacenterRole?
    /// True for a member in Pull mode (`spec.mode: Pull`): the hub cannot reach it, so its agent
    /// writes its marker and reports it; the plan writes no marker there.
    public var pull: Bool
    /// The Datacenter's uid, for the events about it (`kubectl describe` matches on it).
    public var uid: String?

    /// Creates a view.
    public init(
        name: String, phase: DatacenterPhase, reachable: Bool, priority: Int = DatacenterSpec.defaultPriority,
        latencyMilliseconds: Int? = nil, unschedulable: Bool = false, unreachableSince: Date? = nil, readySince: Date? = nil,
        reachableSince: Date? = nil, role: DatacenterRole? = nil, pull: Bool = false, uid: String? = nil
    ) {
        self.name = name
        self.phase = phase
        self.reachable = reachable
        self.priority = priority
        self.latencyMilliseconds = latencyMilliseconds
        self.unschedulable = unschedulable
        self.unreachableSince = unreachableSince
        self.readySince = readySince
        self.reachableSince = reachable ? reachableSince : nil
        self.role = role
        self.pull = pull
        self.uid = uid
    }

    /// Reads the view from a Datacenter's spec and status.
    ///
    /// - `unreachableSince`: the `Ready` condition's lastTransitionTime when it is False (Ready
    ///   turns False exactly when the phase becomes Unreachable), else `status.unhealthySince`.
    /// - `readySince`: the `Ready` condition's lastTransitionTime when it is True. `Ready` stays
    ///   True through Suspect, so a brief run of lost probes that never reached Unreachable does not
    ///   restart the stabilization window; the phase itself must be Ready at decision time.
    /// - `role` comes from `status.role`, `pull` from `spec.mode`; `uid` is the given one.
    public init(name: String, spec: DatacenterSpec, status: DatacenterStatus?, uid: String? = nil) {
        let phase = status?.phase ?? .pending
        let conditions = status?.conditions ?? []
        let ready = conditions.condition(Datacenter.ConditionType.ready)
        let reachable = conditions.condition(Datacenter.ConditionType.reachable)
        self.init(
            name: name, phase: phase, reachable: reachable?.status == .true,
            priority: spec.effectivePriority, latencyMilliseconds: status?.latencyMilliseconds,
            unschedulable: spec.effectiveUnschedulable,
            unreachableSince: phase == .unreachable
                ? (ready?.status == .false ? ready?.lastTransitionTime.date : nil) ?? status?.unhealthySince?.date : nil,
            readySince: phase == .ready && ready?.status == .true ? ready?.lastTransitionTime.date : nil,
            reachableSince: reachable?.status == .true ? reachable?.lastTransitionTime.date : nil,
            role: status?.role, pull: spec.effectiveMode == .pull, uid: uid
        )
    }

    /// Reads the view from a Datacenter.
    public init(_ datacenter: Datacenter) {
        self.init(name: datacenter.metadata.name ?? "", spec: datacenter.spec, status: datacenter.status, uid: datacenter.metadata.uid)
    }

    /// The members of a policy: the Datacenters its `datacenterSelector` selects (all when empty),
    /// skipping those being deleted, sorted by name.
    public static func members(of policy: FederationPolicy, among datacenters: [Datacenter]) -> [MemberView] {
        let selector = policy.spec.effectiveDatacenterSelector
        return datacenters
            .filter { $0.metadata.deletionTimestamp == nil && selector.matches($0.metadata.labels) }
            .map(MemberView.init)
            .sorted { $0.name < $1.name }
    }
}

/// Which members the controller reaches right now, for the `requireQuorum` rule.
public struct QuorumView: Hashable, Sendable {
    /// The number of members of the policy.
    public var members: Int
    /// How many of them the controller's latest probe reached.
    public var reachable: Int
    /// Since when the controller has held a majority without interruption, when known: evidence
    /// gathered before that (a primary "Unreachable" while the controller itself was cut off from
    /// most members) is not trusted for a promotion.
    public var majoritySince: Date?

    /// Creates a view.
    public init(members: Int, reachable: Int, majoritySince: Date? = nil) {
        self.members = members
        self.reachable = reachable
        self.majoritySince = majoritySince
    }

    /// Counts the members whose latest probe succeeded. The majority has held since the moment
    /// its last member joined: the `members / 2 + 1`-th earliest `reachableSince` among the
    /// reachable members (members without a known time count as reachable for ever).
    public init(members: [MemberView]) {
        let reachable = members.filter(\.reachable)
        let needed = members.count / 2 + 1
        let times = reachable.map { $0.reachableSince ?? .distantPast }.sorted()
        let since = times.count >= needed ? times[needed - 1] : nil
        self.init(members: members.count, reachable: reachable.count, majoritySince: since == .distantPast ? nil : since)
    }

    /// True when the controller reaches a strict majority (more than half) of the members. With two
    /// members that means both: losing one of two never leaves a majority.
    public var hasMajority: Bool { members > 0 && reachable * 2 > members }
}

extension MemberView {
    /// True when a change from `old` to `new` can change a FederationPolicy's plan, so the policy
    /// must look again now: membership (labels, deletion), annotations (a Pull member's agent
    /// reports its fencing marker there), or any field of the view except the smoothed latency.
    /// Latency only ranks successors at the moment of a promotion, which a phase change triggers
    /// and which reads the latest latencies then; its drift alone wakes no policy.
    public static func planInputsChanged(from old: Datacenter, to new: Datacenter) -> Bool {
        if old.metadata.labels != new.metadata.labels || old.metadata.annotations != new.metadata.annotations
            || old.metadata.deletionTimestamp != new.metadata.deletionTimestamp
        {
            return true
        }
        var before = MemberView(old), after = MemberView(new)
        before.latencyMilliseconds = nil
        after.latencyMilliseconds = nil
        return before != after
    }
}
