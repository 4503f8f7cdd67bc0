import FederationAPI
import Foundation

/// The precondition of one marker write: Kubernetes optimistic concurrency.
public enum MarkerPrecondition: Hashable, Sendable {
    /// Create the ConfigMap; the write fails (409 AlreadyExists) if someone created it meanwhile.
    case mustNotExist
    /// Update the ConfigMap only if its `metadata.resourceVersion` is still this one (else 409 Conflict).
    case resourceVersion(String)
}

/// One marker write into one member.
public struct MarkerWrite: Hashable, Sendable {
    /// The member Datacenter.
    public var datacenter: String
    /// The marker to write.
    public var marker: FencingMarker
    /// The optimistic-concurrency precondition, from the marker as read in this pass.
    public var precondition: MarkerPrecondition
    /// The role to record in the Datacenter's `status.role` once the write succeeded.
    public var role: DatacenterRole

    /// Creates a write.
    public init(datacenter: String, marker: FencingMarker, precondition: MarkerPrecondition, role: DatacenterRole) {
        self.datacenter = datacenter
        self.marker = marker
        self.precondition = precondition
        self.role = role
    }

    /// The ConfigMap to send: the marker with the precondition's resourceVersion (nil for a create).
    public var configMap: ConfigMap {
        var configMap = marker.configMap
        if case .resourceVersion(let version) = precondition { configMap.metadata.resourceVersion = version }
        return configMap
    }
}

/// The marker writes that bring every reachable member to the epoch in force.
///
/// **Apply the writes in order and stop at the first failure** (409, timeout, connection error),
/// then re-read the markers and plan again. The order is the fencing protocol:
/// 1. the primary in force first — it starts acting at the new epoch;
/// 2. then members whose marker still names themselves primary (former primaries) — each stops
///    acting as soon as its marker is rewritten;
/// 3. then every other stale member, by name.
///
/// So a planned handover never passes through a moment without a primary (the new one holds the
/// higher epoch before the old one is demoted), and never has two primaries in one epoch (the old
/// one only ever acted at the older epoch, which the new epoch fences off). Stopping at the first
/// failure keeps that order across failures: the old primary is never demoted before the new one
/// holds the epoch.
public struct FencingPlan: Hashable, Sendable {
    /// The writes, in the order they must be applied.
    public var writes: [MarkerWrite]

    /// Creates a plan.
    public init(writes: [MarkerWrite]) { self.writes = writes }

    /// True when every reachable member already holds the epoch in force.
    public var isEmpty: Bool { writes.isEmpty }

    /// The members the plan writes to, in order.
    public var datacenters: [String] { writes.map(\.datacenter) }
}

/// Fencing decisions: which markers to write, and whether a member's marker is stale or conflicting.
public enum Fencing {
    /// Plans the marker writes that bring every reachable member to `(policy, primary, epoch)`.
    ///
    /// A member gets a write when its marker is missing (create) or older than `epoch` (update with
    /// its resourceVersion), provided the marker is this policy's or the unclaimed placeholder.
    /// Markers at `epoch` or newer, and markers of another policy, are never overwritten here: a
    /// mismatch there is a split brain (``detectSplitBrain(policy:primary:epoch:markers:)``) that a
    /// person resolves. With `epoch` 0 (no primary yet) nothing is written.
    ///
    /// - Parameters:
    ///   - policy: The FederationPolicy's name.
    ///   - primary: The primary in force (`status.primary`).
    ///   - epoch: The epoch in force (`status.epoch`).
    ///   - markers: The markers read in this pass (reachable members only).
    public static func plan(policy: String, primary: String, epoch: Int64, markers: [MemberMarker]) -> FencingPlan {
        guard epoch > 0 else { return FencingPlan(writes: []) }
        let target = FencingMarker(policy: policy, primary: primary, epoch: epoch)
        let stale = markers.filter { $0.isStale(comparedTo: epoch) && !$0.belongsToAnotherPolicy(than: policy) }
        func rank(_ m: MemberMarker) -> Int { m.datacenter == primary ? 0 : m.claimsPrimary ? 1 : 2 }
        let ordered = stale.sorted { (rank($0), $0.datacenter) < (rank($1), $1.datacenter) }
        return FencingPlan(
            writes: ordered.map { m in
                MarkerWrite(
                    datacenter: m.datacenter, marker: target,
                    precondition: m.resourceVersion.map(MarkerPrecondition.resourceVersion) ?? .mustNotExist,
                    role: m.datacenter == primary ? .primary : .secondary
                )
            }
        )
    }

    /// True when the member must be demoted — its marker rewritten to the epoch in force and its role
    /// set Secondary — before anything it writes is trusted: it is not the primary in force, it holds
    /// an older epoch than `epoch` (or no marker), and its marker is this policy's or the placeholder.
    public static func mustDemote(_ marker: MemberMarker, policy: String, primary: String, epoch: Int64) -> Bool {
        marker.datacenter != primary && marker.isStale(comparedTo: epoch) && !marker.belongsToAnotherPolicy(than: policy)
    }

    /// The role a member has under the primary in force.
    public static func role(of datacenter: String, primary: String?) -> DatacenterRole {
        datacenter == primary ? .primary : .secondary
    }
}
