import FederationAPI
import Foundation
import Testing

/// Sample objects of the four federation kinds, in three sizes:
/// - `full`: every optional field set, every list non-empty (drives the schema-coverage test);
/// - `skeleton`: every optional object present but holding only its required fields;
/// - `minimal`: only the required fields.
enum Samples {
    static let time = KubeTime(Date(timeIntervalSince1970: 1_780_000_000))
    static let later = KubeTime(Date(timeIntervalSince1970: 1_780_000_042))

    static func condition(_ type: String, reason: String = "Healthy") -> Condition {
        Condition(type: type, status: .true, observedGeneration: 3, lastTransitionTime: time, reason: reason, message: "All good.")
    }

    static let selector = LabelSelector(
        matchLabels: ["geo": "us"], matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .in, values: ["gold"])]
    )

    static let metadata = ObjectMeta(name: "us-east", generation: 3, labels: ["geo": "us"])
    static let namespacedMetadata = ObjectMeta(name: "payment-api", namespace: "shop", generation: 3)

    // MARK: Datacenter

    static let fullDatacenter = Datacenter(
        metadata: metadata,
        spec: DatacenterSpec(
            region: "us-east-1", zone: "us-east-1a", provider: "aws", mode: .push,
            credentialsRef: SecretKeyReference(namespace: "concord-system", name: "us-east-kubeconfig", key: "kubeconfig"),
            priority: 100, capacity: DatacenterCapacity(replicas: 200), unschedulable: false,
            healthCheck: HealthCheckSpec(periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 2)
        ),
        status: DatacenterStatus(
            observedGeneration: 3, phase: .ready, role: .primary, serverVersion: "v1.32.0", latencyMilliseconds: 3,
            consecutiveFailures: 0, consecutiveSuccesses: 2, lastProbeTime: later, unhealthySince: time,
            conditions: [condition("Registered", reason: "Connected"), condition("Ready")]
        )
    )

    static let skeletonDatacenter = Datacenter(
        metadata: metadata,
        spec: DatacenterSpec(
            region: "us-east-1", credentialsRef: SecretKeyReference(name: "us-east-kubeconfig"),
            capacity: DatacenterCapacity(replicas: 10), healthCheck: HealthCheckSpec()
        ),
        status: DatacenterStatus()
    )

    static let minimalDatacenter = Datacenter(metadata: metadata, spec: DatacenterSpec(region: "us-east-1"))

    // MARK: FederationPolicy

    static let promotion = PromotionRecord(from: "us-east", to: "us-west", epoch: 4, reason: "PrimaryUnreachable", time: time)

    static let fullFederationPolicy = FederationPolicy(
        metadata: ObjectMeta(name: "global", generation: 3),
        spec: FederationPolicySpec(
            datacenterSelector: selector, topology: .hubAndSpoke, primary: "us-east",
            promotion: PromotionSpec(mode: .automatic, unreachableForSeconds: 30, candidates: ["us-west", "eu-central"], requireQuorum: true),
            failback: .manual, stabilizationSeconds: 120
        ),
        status: FederationPolicyStatus(
            observedGeneration: 3, primary: "us-west", epoch: 4,
            members: [FederationMember(name: "us-east", role: .secondary, phase: .unreachable, epoch: 3)],
            readyMembers: 2, lastPromotion: promotion, history: [promotion],
            conditions: [condition("Ready", reason: "PrimaryReady"), condition("PrimaryAvailable", reason: "PrimaryReady")]
        )
    )

    static let skeletonFederationPolicy = FederationPolicy(
        metadata: ObjectMeta(name: "global"),
        spec: FederationPolicySpec(datacenterSelector: LabelSelector(), primary: "us-east", promotion: PromotionSpec()),
        status: FederationPolicyStatus(
            members: [FederationMember(name: "us-east")],
            lastPromotion: PromotionRecord(to: "us-east", epoch: 1, reason: "InitialPrimary", time: time)
        )
    )

    static let minimalFederationPolicy = FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: "us-east"))

    // MARK: ReplicationRule

    static let fullReplicationRule = ReplicationRule(
        metadata: ObjectMeta(name: "global-config", namespace: "shop", generation: 3),
        spec: ReplicationRuleSpec(
            source: "Primary", targets: ReplicationTargets(datacenterSelector: selector),
            resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: selector, namePrefix: "global-")],
            mode: .continuous, intervalSeconds: 30, fullResyncSeconds: 1800, conflictResolution: .sourceWins,
            deletion: .propagate, residency: Residency(allowedRegions: ["eu-*"])
        ),
        status: ReplicationRuleStatus(
            observedGeneration: 3, sourceDatacenter: "us-west", sourceEpoch: 4, sourceRevision: "81234", objects: 57,
            targets: [
                ReplicationTargetStatus(
                    datacenter: "eu-central", state: .synced, syncedRevision: "81234", lagSeconds: 0.2, objectsInSync: 57,
                    conflicts: 0, lastSyncTime: later, message: "In sync."
                )
            ],
            conflicts: [
                ReplicationConflict(
                    datacenter: "eu-central", apiVersion: "v1", kind: "ConfigMap", name: "global-flags", detectedAt: time,
                    resolution: .sourceWins, message: "content hash abc != def"
                )
            ],
            conflictsTotal: 1,
            conditions: [
                condition("Ready", reason: "AllTargetsSynced"), condition("Synced", reason: "AllTargetsSynced"),
                condition("ConflictsDetected", reason: "ConflictsResolved"),
            ]
        )
    )

    static let skeletonReplicationRule = ReplicationRule(
        metadata: ObjectMeta(name: "global-config", namespace: "shop"),
        spec: ReplicationRuleSpec(
            targets: ReplicationTargets(), resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")],
            residency: Residency(allowedRegions: ["eu-*"])
        ),
        status: ReplicationRuleStatus(
            targets: [ReplicationTargetStatus(datacenter: "eu-central")],
            conflicts: [ReplicationConflict(datacenter: "eu-central", kind: "ConfigMap", name: "x", detectedAt: time, resolution: .manual)]
        )
    )

    static let minimalReplicationRule = ReplicationRule(
        metadata: ObjectMeta(name: "global-config", namespace: "shop"),
        spec: ReplicationRuleSpec(resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")])
    )

    // MARK: ServiceFailover

    static let transition = FailoverTransition(
        from: "us-east", to: "us-west", reason: "DatacenterUnreachable", startedAt: time, completedAt: later, durationSeconds: 4.2
    )

    static let fullServiceFailover = ServiceFailover(
        metadata: namespacedMetadata,
        spec: ServiceFailoverSpec(
            service: "payment-api", workload: WorkloadReference(apiVersion: "apps/v1", kind: "Deployment", name: "payment-api"),
            primary: "us-east", mode: .activePassive, replicas: 6,
            placement: PlacementSpec(
                datacenterSelector: selector, weights: [DatacenterWeight(datacenter: "us-east", weight: 2)], minDatacenters: 2, maxReplicasPerDatacenter: 8),
            failover: [FailoverTarget(datacenter: "us-west", replicas: 3), FailoverTarget(datacenter: "eu-central", replicas: 2)],
            policy: FailoverPolicy(mode: .automatic, unhealthyForSeconds: 10, minReadyReplicas: 1, failback: .manual, stabilizationSeconds: 120, minLocalReadyReplicas: 1),
            migration: MigrationSpec(readinessTimeoutSeconds: 300)
        ),
        status: ServiceFailoverStatus(
            observedGeneration: 3, activeDatacenter: "us-west", placement: "us-west", phase: .failedOver, primaryReplicas: 3, unplacedReplicas: 0,
            datacenters: [
                ServiceDatacenterStatus(
                    name: "us-west", role: .failover, reachable: true, desiredReplicas: 3, readyReplicas: 3, endpoints: ["10.1.0.7:8080"]
                )
            ],
            lastTransition: transition, history: [transition], conditions: [condition("Ready", reason: "MinimumReplicasAvailable"), condition("Available", reason: "MinimumReplicasAvailable")]
        )
    )

    static let skeletonServiceFailover = ServiceFailover(
        metadata: namespacedMetadata,
        spec: ServiceFailoverSpec(
            service: "payment-api", workload: WorkloadReference(), primary: "us-east", failover: [FailoverTarget(datacenter: "us-west")],
            policy: FailoverPolicy(), migration: MigrationSpec()
        ),
        status: ServiceFailoverStatus(
            datacenters: [ServiceDatacenterStatus(name: "us-west")],
            lastTransition: FailoverTransition(to: "us-west", reason: "PlannedMigration", startedAt: time)
        )
    )

    static let minimalServiceFailover = ServiceFailover(
        metadata: namespacedMetadata,
        spec: ServiceFailoverSpec(service: "payment-api", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west")])
    )
}

/// The three sample sizes.
enum SampleSize: CaseIterable, Sendable {
    case full, skeleton, minimal
}

/// One federation kind with its CRD and samples, for table-driven tests.
struct KindCase: CustomTestStringConvertible, Sendable {
    let kind: String
    let crd: FederationCRD
    /// The sample of that size, encoded.
    let sample: @Sendable (SampleSize) throws -> JSONValue
    /// Decodes the JSON as this kind and encodes it again.
    let roundTrip: @Sendable (JSONValue) throws -> JSONValue

    var testDescription: String { kind }

    static func make<R: KubeResource & Equatable>(_ type: R.Type, full: R, skeleton: R, minimal: R) -> KindCase {
        KindCase(
            kind: R.kind, crd: FederationCRDs.definition(forKind: R.kind)!,
            sample: { size in
                switch size {
                case .full: return try JSONValue(encoding: full)
                case .skeleton: return try JSONValue(encoding: skeleton)
                case .minimal: return try JSONValue(encoding: minimal)
                }
            },
            roundTrip: { try JSONValue(encoding: $0.decode(R.self)) }
        )
    }

    static let all: [KindCase] = [
        make(Datacenter.self, full: Samples.fullDatacenter, skeleton: Samples.skeletonDatacenter, minimal: Samples.minimalDatacenter),
        make(
            FederationPolicy.self, full: Samples.fullFederationPolicy, skeleton: Samples.skeletonFederationPolicy,
            minimal: Samples.minimalFederationPolicy
        ),
        make(
            ReplicationRule.self, full: Samples.fullReplicationRule, skeleton: Samples.skeletonReplicationRule,
            minimal: Samples.minimalReplicationRule
        ),
        make(
            ServiceFailover.self, full: Samples.fullServiceFailover, skeleton: Samples.skeletonServiceFailover,
            minimal: Samples.minimalServiceFailover
        ),
    ]
}
