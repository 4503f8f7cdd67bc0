import Foundation

/// `coordination.k8s.io/v1.Lease`: leader election, and the heartbeat of Pull-mode agents
/// (`concord-system/dc-<name>` in the hub).
public struct Lease: KubeResource, Hashable {
    /// The resource `leases` in `coordination.k8s.io/v1`.
    public static let groupVersionResource = GroupVersionResource(group: "coordination.k8s.io", version: "v1", resource: "leases")
    /// `Lease`.
    public static let kind = "Lease"
    /// Leases are namespaced.
    public static let isNamespaced = true

    /// Always `coordination.k8s.io/v1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `Lease`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// Holder and timing.
    public var spec: LeaseSpec?

    /// Creates a Lease.
    public init(metadata: ObjectMeta, spec: LeaseSpec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// A list of Leases.
public typealias LeaseList = KubeList<Lease>

/// `coordination.k8s.io/v1.LeaseSpec`.
public struct LeaseSpec: Codable, Hashable, Sendable {
    /// The identity of the current holder.
    public var holderIdentity: String?
    /// Seconds the holder may go without renewing.
    public var leaseDurationSeconds: Int?
    /// When the current holder acquired the lease.
    public var acquireTime: MicroTime?
    /// When the holder last renewed the lease.
    public var renewTime: MicroTime?
    /// How many times the holder changed.
    public var leaseTransitions: Int?
    /// Coordinated leader election strategy, such as `OldestEmulationVersion`.
    public var strategy: String?
    /// The holder the strategy prefers.
    public var preferredHolder: String?

    /// Creates a spec.
    public init(
        holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: MicroTime? = nil,
        renewTime: MicroTime? = nil, leaseTransitions: Int? = nil, strategy: String? = nil, preferredHolder: String? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
        self.strategy = strategy
        self.preferredHolder = preferredHolder
    }

    /// True when the lease was renewed less than `leaseDurationSeconds` before `now`
    /// (false without a renew time or duration).
    public func isHeld(at now: Date) -> Bool {
        guard let renewTime, let leaseDurationSeconds else { return false }
        return now.timeIntervalSince(renewTime.date) < Double(leaseDurationSeconds)
    }
}
