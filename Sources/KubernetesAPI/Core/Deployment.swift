import Foundation

/// `apps/v1.Deployment` (the subset Concord scales; the Pod template stays opaque JSON).
public struct Deployment: StatusHavingResource, Hashable {
    /// The resource `deployments` in `apps/v1`.
    public static let groupVersionResource = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    /// `Deployment`.
    public static let kind = "Deployment"
    /// Deployments are namespaced.
    public static let isNamespaced = true

    /// Always `apps/v1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `Deployment`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// Replicas, selector and template.
    public var spec: DeploymentSpec?
    /// Replica counts and conditions.
    public var status: DeploymentStatus?

    /// Creates a Deployment.
    public init(metadata: ObjectMeta, spec: DeploymentSpec? = nil, status: DeploymentStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// A list of Deployments.
public typealias DeploymentList = KubeList<Deployment>

/// `apps/v1.DeploymentSpec` (subset).
public struct DeploymentSpec: Codable, Hashable, Sendable {
    /// Desired Pods (the API server defaults it to 1).
    public var replicas: Int?
    /// Which Pods belong to the Deployment.
    public var selector: LabelSelector
    /// The Pod template, kept as JSON.
    public var template: JSONValue
    /// Rollout strategy, kept as JSON.
    public var strategy: JSONValue?
    /// Seconds a new Pod must be ready to count as available.
    public var minReadySeconds: Int?
    /// Seconds before a stuck rollout is reported.
    public var progressDeadlineSeconds: Int?
    /// Old ReplicaSets kept.
    public var revisionHistoryLimit: Int?
    /// True pauses rollouts.
    public var paused: Bool?

    /// Creates a spec.
    public init(
        replicas: Int? = nil, selector: LabelSelector, template: JSONValue, strategy: JSONValue? = nil,
        minReadySeconds: Int? = nil, progressDeadlineSeconds: Int? = nil, revisionHistoryLimit: Int? = nil, paused: Bool? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.strategy = strategy
        self.minReadySeconds = minReadySeconds
        self.progressDeadlineSeconds = progressDeadlineSeconds
        self.revisionHistoryLimit = revisionHistoryLimit
        self.paused = paused
    }

    /// `replicas`, or 1 when omitted (the API server's default).
    public var effectiveReplicas: Int { replicas ?? 1 }
}

/// `apps/v1.DeploymentStatus`.
public struct DeploymentStatus: Codable, Hashable, Sendable {
    /// The generation the deployment controller last acted on.
    public var observedGeneration: Int64?
    /// Pods targeted (any template).
    public var replicas: Int?
    /// Pods with the current template.
    public var updatedReplicas: Int?
    /// Pods ready.
    public var readyReplicas: Int?
    /// Pods ready for at least `minReadySeconds`.
    public var availableReplicas: Int?
    /// Pods still needed for full availability.
    public var unavailableReplicas: Int?
    /// Available, Progressing and ReplicaFailure.
    public var conditions: [DeploymentCondition]?

    /// Creates a status.
    public init(
        observedGeneration: Int64? = nil, replicas: Int? = nil, updatedReplicas: Int? = nil, readyReplicas: Int? = nil,
        availableReplicas: Int? = nil, unavailableReplicas: Int? = nil, conditions: [DeploymentCondition]? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.conditions = conditions
    }
}

/// `apps/v1.DeploymentCondition` (not a `metav1.Condition`: it has `lastUpdateTime` and an optional reason).
public struct DeploymentCondition: Codable, Hashable, Sendable {
    /// `Available`, `Progressing` or `ReplicaFailure`.
    public var type: String
    /// True, False or Unknown.
    public var status: ConditionStatus
    /// When the condition was last probed.
    public var lastUpdateTime: KubeTime?
    /// When `status` last changed.
    public var lastTransitionTime: KubeTime?
    /// Machine-readable reason, such as `MinimumReplicasAvailable`.
    public var reason: String?
    /// Human-readable detail.
    public var message: String?

    /// Creates a condition.
    public init(
        type: String, status: ConditionStatus, lastUpdateTime: KubeTime? = nil, lastTransitionTime: KubeTime? = nil,
        reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastUpdateTime = lastUpdateTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
