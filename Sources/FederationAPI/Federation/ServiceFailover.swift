import Foundation
import KubernetesAPI

/// Keeps one Service available across datacenters: warm standby copies of its workload in the
/// failover datacenters, make-before-break failover and planned migration, and a cross-datacenter
/// discovery view. Namespaced, short name `sf`.
public struct ServiceFailover: StatusHavingResource, Hashable {
    /// The resource `servicefailovers` in `federation.concord.dev/v1alpha1`.
    public static let groupVersionResource = FederationGroup.resource("servicefailovers")
    /// `ServiceFailover`.
    public static let kind = "ServiceFailover"
    /// ServiceFailovers are namespaced, beside the Service they protect.
    public static let isNamespaced = true

    /// Always `federation.concord.dev/v1alpha1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `ServiceFailover`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// The desired state.
    public var spec: ServiceFailoverSpec
    /// The observed state.
    public var status: ServiceFailoverStatus?

    /// Creates a ServiceFailover.
    public init(metadata: ObjectMeta, spec: ServiceFailoverSpec, status: ServiceFailoverStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// A list of ServiceFailovers.
public typealias ServiceFailoverList = KubeList<ServiceFailover>

/// The desired state of a ServiceFailover.
public struct ServiceFailoverSpec: Codable, Hashable, Sendable {
    /// The Service in this namespace, deployed natively in the primary datacenter.
    public var service: String
    /// The workload behind the Service (default: the Deployment named like the Service).
    public var workload: WorkloadReference?
    /// Where the Service runs normally (ActivePassive); where the workload is defined natively, the
    /// template of every copy (ActiveActive). Changing it is a planned migration (ActivePassive).
    public var primary: String
    /// ActivePassive (default) or ActiveActive.
    public var mode: ServiceFailoverMode?
    /// ActiveActive: the replicas across the federation.
    public var replicas: Int?
    /// ActiveActive: the candidate datacenters and how replicas are divided over them.
    public var placement: PlacementSpec?
    /// Ordered failover datacenters, tried first to last (ActivePassive; required there).
    @DefaultEmpty public var failover: [FailoverTarget]
    /// When and how to fail over and back.
    public var policy: FailoverPolicy?
    /// Planned-migration settings.
    public var migration: MigrationSpec?

    /// Creates a spec.
    public init(
        service: String, workload: WorkloadReference? = nil, primary: String, mode: ServiceFailoverMode? = nil, replicas: Int? = nil,
        placement: PlacementSpec? = nil, failover: [FailoverTarget] = [], policy: FailoverPolicy? = nil, migration: MigrationSpec? = nil
    ) {
        self.service = service
        self.workload = workload
        self.primary = primary
        self.mode = mode
        self.replicas = replicas
        self.placement = placement
        self.failover = failover
        self.policy = policy
        self.migration = migration
    }

    /// `mode`, or ActivePassive when omitted.
    public var effectiveMode: ServiceFailoverMode { mode ?? .activePassive }

    /// The workload with every default applied: an `apps/v1` Deployment named like the Service.
    public var effectiveWorkload: WorkloadReference {
        let w = workload ?? WorkloadReference()
        return WorkloadReference(apiVersion: w.effectiveAPIVersion, kind: w.effectiveKind, name: w.name ?? service)
    }
    /// `policy` with every default applied.
    public var effectivePolicy: FailoverPolicy { (policy ?? FailoverPolicy()).withDefaults }
    /// `migration` with every default applied.
    public var effectiveMigration: MigrationSpec { (migration ?? MigrationSpec()).withDefaults }
}

/// The workload a ServiceFailover scales.
public struct WorkloadReference: Codable, Hashable, Sendable {
    /// The workload's apiVersion (default `apps/v1`).
    public var apiVersion: String?
    /// The workload's kind (default `Deployment`).
    public var kind: String?
    /// The workload's name (default: the Service's name).
    public var name: String?

    /// The apiVersion when omitted.
    public static let defaultAPIVersion = "apps/v1"
    /// The kind when omitted.
    public static let defaultKind = "Deployment"

    /// Creates a reference.
    public init(apiVersion: String? = nil, kind: String? = nil, name: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }

    /// `apiVersion`, or `apps/v1` when omitted.
    public var effectiveAPIVersion: String { apiVersion ?? Self.defaultAPIVersion }
    /// `kind`, or `Deployment` when omitted.
    public var effectiveKind: String { kind ?? Self.defaultKind }
}

/// One failover datacenter and the replicas to run there.
public struct FailoverTarget: Codable, Hashable, Sendable {
    /// The Datacenter's name.
    public var datacenter: String
    /// Replicas to run there when active (default: the replicas the workload has in the primary).
    public var replicas: Int?

    /// Creates a target.
    public init(datacenter: String, replicas: Int? = nil) {
        self.datacenter = datacenter
        self.replicas = replicas
    }
}

/// When and how a ServiceFailover fails over and back.
public struct FailoverPolicy: Codable, Hashable, Sendable {
    /// Automatic (default) or Manual.
    public var mode: PromotionMode?
    /// Seconds the active datacenter must be unhealthy (Unreachable, or ready replicas below
    /// `minReadyReplicas`) before failing over (default 5). The wait counts from the first failed
    /// probe, and the Datacenter must also have reached `Unreachable` (its `failureThreshold`), so a
    /// short freeze or a single lost probe never fails anything over.
    public var unhealthyForSeconds: Int?
    /// Ready replicas below this count make the active datacenter unhealthy (default 1).
    public var minReadyReplicas: Int?
    /// Manual (default) or Automatic return to `primary`.
    public var failback: FailbackMode?
    /// Seconds `primary` must stay healthy before an automatic failback (default 120).
    public var stabilizationSeconds: Int?
    /// ActiveActive: a client prefers its own datacenter's endpoints while at least this many are
    /// ready there, and uses the other datacenters' below that (default 1).
    public var minLocalReadyReplicas: Int?

    /// The mode when `mode` is omitted.
    public static let defaultMode = PromotionMode.automatic
    /// The wait when `unhealthyForSeconds` is omitted.
    public static let defaultUnhealthyForSeconds = 5
    /// The threshold when `minReadyReplicas` is omitted.
    public static let defaultMinReadyReplicas = 1
    /// The failback when `failback` is omitted.
    public static let defaultFailback = FailbackMode.manual
    /// The window when `stabilizationSeconds` is omitted.
    public static let defaultStabilizationSeconds = 120
    /// The local threshold when `minLocalReadyReplicas` is omitted.
    public static let defaultMinLocalReadyReplicas = 1

    /// Creates a policy.
    public init(
        mode: PromotionMode? = nil, unhealthyForSeconds: Int? = nil, minReadyReplicas: Int? = nil,
        failback: FailbackMode? = nil, stabilizationSeconds: Int? = nil, minLocalReadyReplicas: Int? = nil
    ) {
        self.minLocalReadyReplicas = minLocalReadyReplicas
        self.mode = mode
        self.unhealthyForSeconds = unhealthyForSeconds
        self.minReadyReplicas = minReadyReplicas
        self.failback = failback
        self.stabilizationSeconds = stabilizationSeconds
    }

    /// `mode`, or Automatic when omitted.
    public var effectiveMode: PromotionMode { mode ?? Self.defaultMode }
    /// `unhealthyForSeconds`, or 5 when omitted (never negative).
    public var effectiveUnhealthyForSeconds: Int { max(0, unhealthyForSeconds ?? Self.defaultUnhealthyForSeconds) }
    /// `minReadyReplicas`, or 1 when omitted (never negative).
    public var effectiveMinReadyReplicas: Int { max(0, minReadyReplicas ?? Self.defaultMinReadyReplicas) }
    /// `failback`, or Manual when omitted.
    public var effectiveFailback: FailbackMode { failback ?? Self.defaultFailback }
    /// `stabilizationSeconds`, or 120 when omitted (never negative).
    public var effectiveStabilizationSeconds: Int { max(0, stabilizationSeconds ?? Self.defaultStabilizationSeconds) }

    /// `minLocalReadyReplicas`, or 1 when omitted (never negative).
    public var effectiveMinLocalReadyReplicas: Int { max(0, minLocalReadyReplicas ?? Self.defaultMinLocalReadyReplicas) }

    /// The same policy with every omitted field set to its default.
    public var withDefaults: FailoverPolicy {
        FailoverPolicy(
            mode: effectiveMode, unhealthyForSeconds: effectiveUnhealthyForSeconds, minReadyReplicas: effectiveMinReadyReplicas,
            failback: effectiveFailback, stabilizationSeconds: effectiveStabilizationSeconds, minLocalReadyReplicas: effectiveMinLocalReadyReplicas
        )
    }
}

/// Planned-migration settings.
public struct MigrationSpec: Codable, Hashable, Sendable {
    /// Seconds to wait for the target's ready replicas before giving up and staying put (default 300).
    public var readinessTimeoutSeconds: Int?

    /// The timeout when `readinessTimeoutSeconds` is omitted.
    public static let defaultReadinessTimeoutSeconds = 300

    /// Creates migration settings.
    public init(readinessTimeoutSeconds: Int? = nil) { self.readinessTimeoutSeconds = readinessTimeoutSeconds }

    /// `readinessTimeoutSeconds`, or 300 when omitted (at least 1).
    public var effectiveReadinessTimeoutSeconds: Int { max(1, readinessTimeoutSeconds ?? Self.defaultReadinessTimeoutSeconds) }

    /// The same settings with every omitted field set to its default.
    public var withDefaults: MigrationSpec { MigrationSpec(readinessTimeoutSeconds: effectiveReadinessTimeoutSeconds) }
}
