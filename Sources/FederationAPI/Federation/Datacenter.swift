import Foundation
import KubernetesAPI

/// A member of the federation: one Kubernetes API endpoint (a real cluster or Concord's embedded
/// control plane). Cluster-scoped, short name `dc`.
///
/// The controller probes it, records its health in `status`, and never writes `spec`.
public struct Datacenter: StatusHavingResource, Hashable {
    /// The resource `datacenters` in `federation.concord.dev/v1alpha1`.
    public static let groupVersionResource = FederationGroup.resource("datacenters")
    /// `Datacenter`.
    public static let kind = "Datacenter"
    /// Datacenters are cluster-scoped.
    public static let isNamespaced = false

    /// Always `federation.concord.dev/v1alpha1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `Datacenter`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata; `name` is the datacenter's name throughout the federation.
    @DefaultEmpty public var metadata: ObjectMeta
    /// The desired state, written by people and GitOps tools.
    public var spec: DatacenterSpec
    /// The observed state, written by the controller through `/status`.
    public var status: DatacenterStatus?

    /// Creates a Datacenter.
    public init(metadata: ObjectMeta, spec: DatacenterSpec, status: DatacenterStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// A list of Datacenters.
public typealias DatacenterList = KubeList<Datacenter>

/// How the hub and a member datacenter talk.
public enum DatacenterMode: String, Codable, Hashable, Sendable, CaseIterable {
    /// The hub connects out to the member with the kubeconfig in `credentialsRef`.
    case push = "Push"
    /// `concord agent` in the member registers and renews a Lease in the hub.
    case pull = "Pull"
}

/// The desired state of a Datacenter.
public struct DatacenterSpec: Codable, Hashable, Sendable {
    /// The region, such as `us-east-1`. Required; residency rules match it.
    public var region: String
    /// The zone, such as `us-east-1a`.
    public var zone: String?
    /// Free text naming the provider: aws, gcp, onprem, edge…
    public var provider: String?
    /// Push (default) or Pull.
    public var mode: DatacenterMode?
    /// Push only: the Secret key holding a kubeconfig for the member's API server.
    public var credentialsRef: SecretKeyReference?
    /// Promotion preference, higher first (default 100, range 0–1000).
    public var priority: Int?
    /// The most federated work the datacenter may host (recorded; nothing places work yet).
    public var capacity: DatacenterCapacity?
    /// Cordon: when true the datacenter is never promoted to primary nor a ServiceFailover target (default false).
    public var unschedulable: Bool?
    /// Probe timing and hysteresis.
    public var healthCheck: HealthCheckSpec?

    /// The mode when `mode` is omitted.
    public static let defaultMode = DatacenterMode.push
    /// The priority when `priority` is omitted.
    public static let defaultPriority = 100
    /// The allowed priorities.
    public static let priorityRange = 0...1000

    /// Creates a spec.
    public init(
        region: String, zone: String? = nil, provider: String? = nil, mode: DatacenterMode? = nil,
        credentialsRef: SecretKeyReference? = nil, priority: Int? = nil, capacity: DatacenterCapacity? = nil,
        unschedulable: Bool? = nil, healthCheck: HealthCheckSpec? = nil
    ) {
        self.region = region
        self.zone = zone
        self.provider = provider
        self.mode = mode
        self.credentialsRef = credentialsRef
        self.priority = priority
        self.capacity = capacity
        self.unschedulable = unschedulable
        self.healthCheck = healthCheck
    }

    /// `mode`, or Push when omitted.
    public var effectiveMode: DatacenterMode { mode ?? Self.defaultMode }
    /// `priority`, or 100 when omitted, limited to 0–1000.
    public var effectivePriority: Int { (priority ?? Self.defaultPriority).clamped(to: Self.priorityRange) }
    /// `unschedulable`, or false when omitted.
    public var effectiveUnschedulable: Bool { unschedulable ?? false }
    /// The health-check settings with every default applied.
    public var effectiveHealthCheck: EffectiveHealthCheck { (healthCheck ?? HealthCheckSpec()).effective }
}

/// A reference to one key of a Secret in a named namespace.
public struct SecretKeyReference: Codable, Hashable, Sendable {
    /// The Secret's namespace (default `concord-system`).
    public var namespace: String?
    /// The Secret's name.
    public var name: String
    /// The key inside the Secret's data (default `kubeconfig`).
    public var key: String?

    /// The namespace when `namespace` is omitted.
    public static let defaultNamespace = FederationGroup.systemNamespace
    /// The key when `key` is omitted.
    public static let defaultKey = "kubeconfig"

    /// Creates a reference.
    public init(namespace: String? = nil, name: String, key: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.key = key
    }

    /// `namespace`, or `concord-system` when omitted.
    public var effectiveNamespace: String { namespace ?? Self.defaultNamespace }
    /// `key`, or `kubeconfig` when omitted.
    public var effectiveKey: String { key ?? Self.defaultKey }
}

/// How much federated work a datacenter may host.
public struct DatacenterCapacity: Codable, Hashable, Sendable {
    /// The most federated replicas (summed over ServiceFailovers) it may run.
    public var replicas: Int

    /// Creates a capacity.
    public init(replicas: Int) { self.replicas = replicas }
}

/// The health of a datacenter as the controller last decided it.
public enum DatacenterPhase: String, Codable, Hashable, Sendable, CaseIterable {
    /// Not yet answered `successThreshold` consecutive probes since it was created.
    case pending = "Pending"
    /// Answering probes.
    case ready = "Ready"
    /// Was Ready; its latest probes failed, but fewer than `failureThreshold` in a row.
    case suspect = "Suspect"
    /// `failureThreshold` consecutive probes failed; Ready again after `successThreshold` successes.
    case unreachable = "Unreachable"

    /// True for Ready and Suspect: the datacenter still serves, so failover and promotion do not
    /// start from it (a Suspect member is watched, not abandoned).
    public var isAvailable: Bool { self == .ready || self == .suspect }
}

/// The role a FederationPolicy gives a datacenter.
public enum DatacenterRole: String, Codable, Hashable, Sendable, CaseIterable {
    /// The one writer of global data in HubAndSpoke topology.
    case primary = "Primary"
    /// Every other member.
    case secondary = "Secondary"
}

/// The observed state of a Datacenter.
///
/// Written on change, not on every probe: a new status is written when the phase, role,
/// conditions or server version change, while the failure or success counters climb towards
/// their thresholds, when the smoothed latency leaves its band, or when `lastProbeTime` is
/// older than 10 s. Counters and `unhealthySince` live here, not in memory, so a new leader
/// continues the same clocks.
public struct DatacenterStatus: Codable, Hashable, Sendable {
    /// The `metadata.generation` this status was computed from.
    public var observedGeneration: Int64?
    /// Pending, Ready, Suspect or Unreachable.
    public var phase: DatacenterPhase?
    /// Primary or Secondary, as decided by the FederationPolicy.
    public var role: DatacenterRole?
    /// The member API server's version (`gitVersion` of `/version`), such as `v1.32.0`.
    public var serverVersion: String?
    /// Smoothed probe round trip in milliseconds.
    public var latencyMilliseconds: Int?
    /// Probes failed in a row; 0 after a success.
    public var consecutiveFailures: Int?
    /// Probes succeeded in a row, counted up to `successThreshold`; 0 after a failure.
    public var consecutiveSuccesses: Int?
    /// When the latest probe ran (refreshed in status at least every 10 s).
    public var lastProbeTime: KubeTime?
    /// When the current run of failures began; cleared when the datacenter is Ready again.
    public var unhealthySince: KubeTime?
    /// Registered, Reachable and the summary Ready (plus Reconciling/Stalled during cleanup).
    @DefaultEmpty public var conditions: [Condition]

    /// Creates a status.
    public init(
        observedGeneration: Int64? = nil, phase: DatacenterPhase? = nil, role: DatacenterRole? = nil,
        serverVersion: String? = nil, latencyMilliseconds: Int? = nil, consecutiveFailures: Int? = nil,
        consecutiveSuccesses: Int? = nil, lastProbeTime: KubeTime? = nil, unhealthySince: KubeTime? = nil,
        conditions: [Condition] = []
    ) {
        self.observedGeneration = observedGeneration
        self.phase = phase
        self.role = role
        self.serverVersion = serverVersion
        self.latencyMilliseconds = latencyMilliseconds
        self.consecutiveFailures = consecutiveFailures
        self.consecutiveSuccesses = consecutiveSuccesses
        self.lastProbeTime = lastProbeTime
        self.unhealthySince = unhealthySince
        self.conditions = conditions
    }
}
