import Foundation
import KubernetesAPI

/// Copies selected objects of one namespace from a source datacenter to other members.
/// Namespaced, short name `rr`.
public struct ReplicationRule: StatusHavingResource, Hashable {
    /// The resource `replicationrules` in `federation.concord.dev/v1alpha1`.
    public static let groupVersionResource = FederationGroup.resource("replicationrules")
    /// `ReplicationRule`.
    public static let kind = "ReplicationRule"
    /// ReplicationRules are namespaced; they replicate objects of their own namespace.
    public static let isNamespaced = true

    /// Always `federation.concord.dev/v1alpha1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `ReplicationRule`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// The desired state.
    public var spec: ReplicationRuleSpec
    /// The observed state.
    public var status: ReplicationRuleStatus?

    /// Creates a ReplicationRule.
    public init(metadata: ObjectMeta, spec: ReplicationRuleSpec, status: ReplicationRuleStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// A list of ReplicationRules.
public typealias ReplicationRuleList = KubeList<ReplicationRule>

/// When replication runs.
public enum ReplicationMode: String, Codable, Hashable, Sendable, CaseIterable {
    /// Watch-driven: a source change is copied at once.
    case continuous = "Continuous"
    /// Every `intervalSeconds`.
    case periodic = "Periodic"
}

/// Who wins when a replica was changed in its own datacenter.
public enum ConflictResolution: String, Codable, Hashable, Sendable, CaseIterable {
    /// The source's content overwrites the replica.
    case sourceWins = "SourceWins"
    /// The replica's local change is kept.
    case targetWins = "TargetWins"
    /// The later write by hybrid logical clock wins (never by comparing two machines' wall clocks).
    case lastWriterWins = "LastWriterWins"
    /// Concord stops touching the object and lists it in status until a person resolves it.
    case manual = "Manual"
}

/// What happens to replicas when their source object is deleted.
public enum DeletionPolicy: String, Codable, Hashable, Sendable, CaseIterable {
    /// Delete the replicas too.
    case propagate = "Propagate"
    /// Leave the replicas in place.
    case orphan = "Orphan"
}

/// Where a ReplicationRule reads from.
public enum ReplicationSource: Hashable, Sendable {
    /// Whichever datacenter is the primary in force (follows promotions).
    case primary
    /// One named Datacenter.
    case datacenter(String)
}

/// The desired state of a ReplicationRule.
public struct ReplicationRuleSpec: Codable, Hashable, Sendable {
    /// `Primary` (default, follows promotions) or the name of a Datacenter.
    public var source: String?
    /// The datacenters to copy into (default: every other member).
    public var targets: ReplicationTargets?
    /// What to copy; an object is replicated when it matches any entry.
    public var resources: [ReplicatedResource]
    /// Continuous (default) or Periodic.
    public var mode: ReplicationMode?
    /// Periodic only: seconds between rounds (default 30).
    public var intervalSeconds: Int?
    /// Seconds between full comparisons of source and targets, a safety net (default 1800).
    public var fullResyncSeconds: Int?
    /// SourceWins (default), TargetWins, LastWriterWins or Manual.
    public var conflictResolution: ConflictResolution?
    /// Propagate (default) or Orphan.
    public var deletion: DeletionPolicy?
    /// Regions objects may land in; others are never written.
    public var residency: Residency?

    /// The `source` value meaning "the primary in force".
    public static let primarySource = "Primary"
    /// The mode when `mode` is omitted.
    public static let defaultMode = ReplicationMode.continuous
    /// The interval when `intervalSeconds` is omitted.
    public static let defaultIntervalSeconds = 30
    /// The full-resync period when `fullResyncSeconds` is omitted.
    public static let defaultFullResyncSeconds = 1800
    /// The smallest `fullResyncSeconds` allowed.
    public static let minimumFullResyncSeconds = 10
    /// The resolution when `conflictResolution` is omitted.
    public static let defaultConflictResolution = ConflictResolution.sourceWins
    /// The deletion policy when `deletion` is omitted.
    public static let defaultDeletion = DeletionPolicy.propagate

    /// Creates a spec.
    public init(
        source: String? = nil, targets: ReplicationTargets? = nil, resources: [ReplicatedResource], mode: ReplicationMode? = nil,
        intervalSeconds: Int? = nil, fullResyncSeconds: Int? = nil, conflictResolution: ConflictResolution? = nil,
        deletion: DeletionPolicy? = nil, residency: Residency? = nil
    ) {
        self.source = source
        self.targets = targets
        self.resources = resources
        self.mode = mode
        self.intervalSeconds = intervalSeconds
        self.fullResyncSeconds = fullResyncSeconds
        self.conflictResolution = conflictResolution
        self.deletion = deletion
        self.residency = residency
    }

    /// `source` as a typed value: `.primary` when omitted or `Primary`.
    public var effectiveSource: ReplicationSource {
        guard let source, source != Self.primarySource else { return .primary }
        return .datacenter(source)
    }
    /// What is wrong with the spec's label selectors (`targets.datacenterSelector`, each resource's
    /// `selector`), as kube-apiserver would word it; empty when they are valid.
    public var selectorProblems: [LabelSelector.Problem] {
        (targets?.datacenterSelector?.problems(at: "spec.targets.datacenterSelector") ?? [])
            + resources.enumerated().flatMap { i, r in r.selector?.problems(at: "spec.resources[\(i)].selector") ?? [] }
    }

    /// `targets.datacenterSelector`, or the empty selector (every other member) when omitted.
    public var effectiveTargetSelector: LabelSelector { targets?.datacenterSelector ?? LabelSelector() }
    /// `mode`, or Continuous when omitted.
    public var effectiveMode: ReplicationMode { mode ?? Self.defaultMode }
    /// `intervalSeconds`, or 30 when omitted (at least 1).
    public var effectiveIntervalSeconds: Int { max(1, intervalSeconds ?? Self.defaultIntervalSeconds) }
    /// `fullResyncSeconds`, or 1800 when omitted (at least 10).
    public var effectiveFullResyncSeconds: Int { max(Self.minimumFullResyncSeconds, fullResyncSeconds ?? Self.defaultFullResyncSeconds) }
    /// `conflictResolution`, or SourceWins when omitted.
    public var effectiveConflictResolution: ConflictResolution { conflictResolution ?? Self.defaultConflictResolution }
    /// `deletion`, or Propagate when omitted.
    public var effectiveDeletion: DeletionPolicy { deletion ?? Self.defaultDeletion }
}

/// The datacenters a ReplicationRule writes to.
public struct ReplicationTargets: Codable, Hashable, Sendable {
    /// Selects target Datacenters by label; empty or omitted selects every member but the source.
    public var datacenterSelector: LabelSelector?

    /// Creates targets.
    public init(datacenterSelector: LabelSelector? = nil) { self.datacenterSelector = datacenterSelector }
}

/// One kind of object a ReplicationRule copies, narrowed by labels and/or a name prefix.
public struct ReplicatedResource: Codable, Hashable, Sendable {
    /// The objects' apiVersion, such as `v1`.
    public var apiVersion: String
    /// The objects' kind, such as `ConfigMap`.
    public var kind: String
    /// Only objects whose labels match; omitted matches all.
    public var selector: LabelSelector?
    /// Only objects whose name starts with this prefix.
    public var namePrefix: String?

    /// Creates a resource entry.
    public init(apiVersion: String, kind: String, selector: LabelSelector? = nil, namePrefix: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.selector = selector
        self.namePrefix = namePrefix
    }

    /// True when an object of this entry's kind with that name and labels, in `namespace` (the rule's), is
    /// selected. Every selection of objects a rule copies comes here, so an object
    /// ``isNeverReplicated(apiVersion:kind:name:namespace:)`` is never selected, whatever the entry says.
    public func matches(name: String, labels: [String: String]?, namespace: String?) -> Bool {
        if Self.isNeverReplicated(apiVersion: apiVersion, kind: kind, name: name, namespace: namespace) { return false }
        if let namePrefix, !name.hasPrefix(namePrefix) { return false }
        return (selector ?? LabelSelector()).matches(labels)
    }
}

extension ReplicatedResource {
    /// The ConfigMap every Kubernetes cluster creates in every namespace with its own cluster's CA.
    public static let rootCAConfigMap = "kube-root-ca.crt"

    /// True for objects each member makes for itself, which no rule selects (as Karmada and KubeFed
    /// skip them). A copy would conflict with each target's own, and under SourceWins overwrite it:
    /// - the ConfigMap `kube-root-ca.crt` (v1) in every namespace, holding the member's own CA;
    /// - the ServiceAccount `default` (v1) in every namespace;
    /// - in `default`, the Service `kubernetes` (v1) and its Endpoints (v1) and EndpointSlice
    ///   (discovery.k8s.io/v1), which point at the member's own API server.
    public static func isNeverReplicated(apiVersion: String, kind: String, name: String, namespace: String?) -> Bool {
        switch (apiVersion, kind) {
        case ("v1", "ConfigMap"): name == rootCAConfigMap
        case ("v1", "ServiceAccount"): name == "default"
        case ("v1", "Service"), ("v1", "Endpoints"), ("discovery.k8s.io/v1", "EndpointSlice"): name == "kubernetes" && namespace == "default"
        default: false
        }
    }
}

/// Where replicated objects may be stored.
public struct Residency: Codable, Hashable, Sendable {
    /// Region patterns; `*` matches any run of characters (`eu-*` matches `eu-central-1`).
    public var allowedRegions: [String]

    /// Creates a residency constraint.
    public init(allowedRegions: [String]) { self.allowedRegions = allowedRegions }

    /// True when `region` matches one of the patterns.
    public func allows(region: String) -> Bool {
        allowedRegions.contains { Self.glob($0, matches: region) }
    }

    /// Matches `*` wildcards; every other character stands for itself.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] != "*", p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
