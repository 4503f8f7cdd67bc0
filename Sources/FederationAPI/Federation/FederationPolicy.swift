import Foundation
import KubernetesAPI

/// How the federation is organised: which datacenters are members, which one is primary, and
/// when the controller may promote another. Cluster-scoped, short name `fp`.
public struct FederationPolicy: StatusHavingResource, Hashable {
    /// The resource `federationpolicies` in `federation.concord.dev/v1alpha1`.
    public static let groupVersionResource = FederationGroup.resource("federationpolicies")
    /// `FederationPolicy`.
    public static let kind = "FederationPolicy"
    /// FederationPolicies are cluster-scoped.
    public static let isNamespaced = false

    /// Always `federation.concord.dev/v1alpha1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `FederationPolicy`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// The desired state.
    public var spec: FederationPolicySpec
    /// The observed state.
    public var status: FederationPolicyStatus?

    /// Creates a FederationPolicy.
    public init(metadata: ObjectMeta, spec: FederationPolicySpec, status: FederationPolicyStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// A list of FederationPolicies.
public typealias FederationPolicyList = KubeList<FederationPolicy>

/// Who writes global data.
public enum FederationTopology: String, Codable, Hashable, Sendable, CaseIterable {
    /// The primary is the one writer of global data.
    case hubAndSpoke = "HubAndSpoke"
    /// Every member writes; conflicts are resolved per ReplicationRule.
    case mesh = "Mesh"
}

/// Whether the controller acts on its own or waits for a person.
public enum PromotionMode: String, Codable, Hashable, Sendable, CaseIterable {
    /// The controller promotes (or fails over) when its conditions hold.
    case automatic = "Automatic"
    /// The controller only reports; a person changes `spec.primary`.
    case manual = "Manual"
}

/// Whether the original primary takes over again once it is healthy.
public enum FailbackMode: String, Codable, Hashable, Sendable, CaseIterable {
    /// Stay where we are until a person moves it back.
    case manual = "Manual"
    /// Move back after `stabilizationSeconds` of uninterrupted health.
    case automatic = "Automatic"
}

/// The desired state of a FederationPolicy.
public struct FederationPolicySpec: Codable, Hashable, Sendable {
    /// Selects the member Datacenters by label; empty or omitted selects all.
    public var datacenterSelector: LabelSelector?
    /// HubAndSpoke (default) or Mesh.
    public var topology: FederationTopology?
    /// The desired primary datacenter; changing it is a planned promotion.
    public var primary: String
    /// When and how the controller promotes another member.
    public var promotion: PromotionSpec?
    /// Manual (default) or Automatic return to `primary` once it is healthy again.
    public var failback: FailbackMode?
    /// Seconds `primary` must stay healthy before an automatic failback (default 120).
    public var stabilizationSeconds: Int?

    /// The topology when `topology` is omitted.
    public static let defaultTopology = FederationTopology.hubAndSpoke
    /// The failback when `failback` is omitted.
    public static let defaultFailback = FailbackMode.manual
    /// The stabilization window when `stabilizationSeconds` is omitted.
    public static let defaultStabilizationSeconds = 120

    /// Creates a spec.
    public init(
        datacenterSelector: LabelSelector? = nil, topology: FederationTopology? = nil, primary: String,
        promotion: PromotionSpec? = nil, failback: FailbackMode? = nil, stabilizationSeconds: Int? = nil
    ) {
        self.datacenterSelector = datacenterSelector
        self.topology = topology
        self.primary = primary
        self.promotion = promotion
        self.failback = failback
        self.stabilizationSeconds = stabilizationSeconds
    }

    /// `datacenterSelector`, or the empty selector (all datacenters) when omitted.
    public var effectiveDatacenterSelector: LabelSelector { datacenterSelector ?? LabelSelector() }
    /// `topology`, or HubAndSpoke when omitted.
    public var effectiveTopology: FederationTopology { topology ?? Self.defaultTopology }
    /// `promotion` with every default applied.
    public var effectivePromotion: PromotionSpec { (promotion ?? PromotionSpec()).withDefaults }
    /// `failback`, or Manual when omitted.
    public var effectiveFailback: FailbackMode { failback ?? Self.defaultFailback }
    /// `stabilizationSeconds`, or 120 when omitted (never negative).
    public var effectiveStabilizationSeconds: Int { max(0, stabilizationSeconds ?? Self.defaultStabilizationSeconds) }
}

/// When and how a FederationPolicy promotes a new primary.
public struct PromotionSpec: Codable, Hashable, Sendable {
    /// Automatic (default) or Manual.
    public var mode: PromotionMode?
    /// Seconds the primary must be Unreachable before an automatic promotion (default 30).
    public var unreachableForSeconds: Int?
    /// Preferred successors in order; when omitted, members by priority, then latency.
    public var candidates: [String]?
    /// Promote only while the controller reaches a majority of members (default true).
    public var requireQuorum: Bool?

    /// The mode when `mode` is omitted.
    public static let defaultMode = PromotionMode.automatic
    /// The wait when `unreachableForSeconds` is omitted.
    public static let defaultUnreachableForSeconds = 30
    /// The quorum rule when `requireQuorum` is omitted.
    public static let defaultRequireQuorum = true

    /// Creates promotion settings.
    public init(mode: PromotionMode? = nil, unreachableForSeconds: Int? = nil, candidates: [String]? = nil, requireQuorum: Bool? = nil) {
        self.mode = mode
        self.unreachableForSeconds = unreachableForSeconds
        self.candidates = candidates
        self.requireQuorum = requireQuorum
    }

    /// `mode`, or Automatic when omitted.
    public var effectiveMode: PromotionMode { mode ?? Self.defaultMode }
    /// `unreachableForSeconds`, or 30 when omitted (never negative).
    public var effectiveUnreachableForSeconds: Int { max(0, unreachableForSeconds ?? Self.defaultUnreachableForSeconds) }
    /// `candidates`, or empty (rank by priority, then latency) when omitted.
    public var effectiveCandidates: [String] { candidates ?? [] }
    /// `requireQuorum`, or true when omitted.
    public var effectiveRequireQuorum: Bool { requireQuorum ?? Self.defaultRequireQuorum }

    /// The same settings with every omitted field set to its default.
    public var withDefaults: PromotionSpec {
        PromotionSpec(mode: effectiveMode, unreachableForSeconds: effectiveUnreachableForSeconds, candidates: candidates, requireQuorum: effectiveRequireQuorum)
    }
}

/// The observed state of a FederationPolicy.
public struct FederationPolicyStatus: Codable, Hashable, Sendable {
    /// The `metadata.generation` this status was computed from.
    public var observedGeneration: Int64?
    /// The primary in force (may differ from `spec.primary` after an automatic promotion).
    public var primary: String?
    /// The fencing token: raised by one at every promotion and written to every reachable member.
    public var epoch: Int64?
    /// Every selected member with its role and phase.
    @DefaultEmpty public var members: [FederationMember]
    /// Members whose phase is Ready.
    public var readyMembers: Int?
    /// The most recent promotion.
    public var lastPromotion: PromotionRecord?
    /// Recent promotions, newest first, at most ``FederationPolicy/historyLimit``.
    @DefaultEmpty public var history: [PromotionRecord]
    /// Ready, PrimaryAvailable, Promoting and SplitBrainDetected (plus Reconciling/Stalled).
    @DefaultEmpty public var conditions: [Condition]

    /// Creates a status.
    public init(
        observedGeneration: Int64? = nil, primary: String? = nil, epoch: Int64? = nil, members: [FederationMember] = [],
        readyMembers: Int? = nil, lastPromotion: PromotionRecord? = nil, history: [PromotionRecord] = [], conditions: [Condition] = []
    ) {
        self.observedGeneration = observedGeneration
        self.primary = primary
        self.epoch = epoch
        self.members = members
        self.readyMembers = readyMembers
        self.lastPromotion = lastPromotion
        self.history = history
        self.conditions = conditions
    }
}

/// One member of a federation as its FederationPolicy sees it.
public struct FederationMember: Codable, Hashable, Sendable {
    /// The Datacenter's name.
    public var name: String
    /// Primary or Secondary.
    public var role: DatacenterRole?
    /// The Datacenter's phase.
    public var phase: DatacenterPhase?
    /// The fencing epoch last confirmed in the member's marker; older than the policy's means fenced off.
    public var epoch: Int64?

    /// Creates a member entry.
    public init(name: String, role: DatacenterRole? = nil, phase: DatacenterPhase? = nil, epoch: Int64? = nil) {
        self.name = name
        self.role = role
        self.phase = phase
        self.epoch = epoch
    }
}

/// One change of primary.
public struct PromotionRecord: Codable, Hashable, Sendable {
    /// The previous primary; absent for the first assignment.
    public var from: String?
    /// The new primary.
    public var to: String
    /// The epoch the promotion created.
    public var epoch: Int64
    /// Why: PrimaryUnreachable, PlannedPromotion, Failback, InitialPrimary…
    public var reason: String
    /// When the promotion took effect.
    public var time: KubeTime

    /// Creates a record.
    public init(from: String? = nil, to: String, epoch: Int64, reason: String, time: KubeTime) {
        self.from = from
        self.to = to
        self.epoch = epoch
        self.reason = reason
        self.time = time
    }
}
